/* govmatrix: the only script. Pages work without it.
 * When a form is refused, move focus to its error summary (GOV.UK pattern) so that screen readers
 * announce the problems and keyboard users start from the list of links to each field. */
(function () {
  "use strict";
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
    // A link in the summary moves focus to its field, not only the scroll position.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!target) return;
      event.preventDefault();
      var group = target.closest("fieldset") || target.closest(".form-group");
      (group || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
