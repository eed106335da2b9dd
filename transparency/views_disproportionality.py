"""The disproportionality page: the matrix compared with the resident population (docs/purpose.md, Equality monitoring).

Supervisors (their boroughs and London as a whole), auditors and the DPO (every borough). Other roles
get a 403, which ``config.errors.permission_denied`` logs. Viewing the figures is not logged as a
consultation: the page shows aggregate counts of approved records, never a person, and counts below 5,
and any count that would give one away, are not shown.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.form_messages import SpecificMessages
from transparency import disproportionality as dp
from transparency import permissions
from transparency.charts import bar_chart
from transparency.models.population import LONDON_CODE

REFUSAL = "Only supervisors, auditors and the data protection officer can see disproportionality figures."
SHORT_REASONS = {
    dp.NONE_LISTED: "no ratio: nobody listed",
    dp.TOO_FEW: f"no ratio: {dp.fewer_than_text(dp.SMALL_COUNT)}",
    dp.HIDDEN: "no ratio: hidden",
    dp.NO_BASELINE: "no ratio: no baseline",
    dp.NO_POPULATION: "no ratio: no residents in baseline",
}


class DisproportionalityForm(SpecificMessages, forms.Form):
    area = forms.ChoiceField(
        label="Area",
        error_messages={
            "invalid_choice": "Choose one of the areas listed: London as a whole or a borough you oversee."
        },
    )
    breakdown = forms.ChoiceField(label="Compare by", choices=dp.Breakdown.choices)
    cohort = forms.ChoiceField(
        label="People counted",
        choices=dp.Cohort.choices,
        help_text="Harm bands apply to perpetrators only; victims and people at risk are never scored.",
    )

    def __init__(self, data, *, areas):
        super().__init__(data)
        self.fields["area"].choices = areas


DEFAULTS = {"area": LONDON_CODE, "breakdown": dp.Breakdown.BROAD_ETHNICITY, "cohort": dp.Cohort.EVERYONE}


@login_required
@require_GET
def disproportionality(request):
    if not permissions.can_view_disproportionality(request.user):
        raise PermissionDenied(REFUSAL)
    areas = permissions.disproportionality_areas(request.user)
    form = DisproportionalityForm({**DEFAULTS, **request.GET.dict()}, areas=areas)
    report = chart = None
    if form.is_valid():
        choice = form.cleaned_data
        report = dp.report(
            area_code=choice["area"],
            area_name=dict(areas)[choice["area"]],
            breakdown=choice["breakdown"],
            cohort=choice["cohort"],
            on_date=timezone.localdate(),
        )
        chart = ratio_chart(report)
    context = {"form": form, "report": report, "chart": chart, "scope": _scope(report), "as_of": timezone.now()}
    return render(request, "transparency/disproportionality.html", context, status=200 if report else 400)


def ratio_chart(report: dp.Report):
    rows = [
        (
            group.label,
            None if group.ratio is None else float(group.ratio),
            group.ratio_text or SHORT_REASONS[group.no_ratio_reason],
        )
        for group in report.comparison.groups
    ]
    with_ratio = [f"{label} {text}" for label, ratio, text in rows if ratio is not None]
    without = [label for label, ratio, _text in rows if ratio is None]
    description = (
        f"For each group, its share of the people on the matrix divided by its share of the residents of "
        f"{report.area_name}; 1.0× is in proportion. "
        + (f"Ratios: {'; '.join(with_ratio)}. " if with_ratio else "No group has a ratio. ")
        + (f"No ratio for: {'; '.join(without)}." if without else "")
    )
    return bar_chart(
        title=f"{report.breakdown_label}: representation on the matrix in {report.area_name}",
        description=description,
        rows=rows,
        unit="share of the matrix ÷ share of residents; the dashed line (parity) is 1.0×",
        reference=1.0,
    )


def _scope(report: dp.Report | None) -> str:
    what = f"{report.area_name}" if report else "the areas you oversee"
    return (
        f"aggregate counts of people on the matrix (approved records) in {what}, never individuals, "
        "because your role monitors the matrix for over-representation"
    )
