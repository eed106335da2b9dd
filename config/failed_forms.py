"""Post/redirect/get for refused forms: what the person typed and the errors survive one redirect.

A refused POST keeps the form's data and errors in the session and redirects to the page that shows
the form; that page rebuilds the form from them, once. Reloading that page shows it again instead of
posting the form a second time, and the address bar never rests on an action URL such as ``/reject/``.
Passwords and the CSRF token are never kept.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.shortcuts import redirect

SESSION_KEY = "failed-forms"
NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "password", "password1", "password2", "new_password1", "new_password2"})


def keep(request, page: str, form, **context) -> None:
    """Remember ``form`` (bound, with errors) for the next GET of ``page``, with any extra ``context``."""
    data = {name: form.data.getlist(name) for name in form.data if name not in NEVER_KEPT}
    kept = request.session.get(SESSION_KEY, {})
    kept[page] = {"data": data, "errors": form.errors.get_json_data(), "context": context}
    request.session[SESSION_KEY] = kept


def refused(request, page: str, form, to, *args, context: dict | None = None, **kwargs):
    """Keep ``form`` (and ``context``) for ``page`` and redirect to the view named ``to``, at its error summary."""
    keep(request, page, form, **(context or {}))
    response = redirect(to, *args, **kwargs)
    response["Location"] += "#error-summary"
    return response


def recall(request, page: str, build):
    """The form kept for ``page``, rebuilt by ``build(data, context)`` with its errors, or None.

    ``build`` returns an unbound-looking form class instance given the kept QueryDict; the kept
    errors replace validation, so a form refused by a service shows that service's messages.
    """
    kept = request.session.get(SESSION_KEY, {})
    if page not in kept:
        return None
    stored = kept.pop(page)
    request.session[SESSION_KEY] = kept
    data = QueryDict(mutable=True)
    for name, values in stored["data"].items():
        data.setlist(name, values)
    form = build(data, stored["context"])
    if form is None:
        return None
    form._errors = ErrorDict()
    form.cleaned_data = {}
    for field, errors in stored["errors"].items():
        target = None if field == "__all__" or field not in form.fields else field
        form.add_error(target, ValidationError([error["message"] for error in errors]))
    return form
