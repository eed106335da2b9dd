"""The API's subject list filters: the same filters and sorts as the subject list page, decided in one place
(``matrix.queries.subject_list``). The API also takes several values of a choice (``?status=submitted&status=approved``)."""

import django_filters

from matrix.choices import Classification, HarmBand, Status
from matrix.models import Borough
from matrix.queries import FLAGS, OWNERS, SORTS, subject_list


class SubjectFilter(django_filters.FilterSet):
    """Declares and checks the query parameters (a bad value is a 400 naming it); ``filter_queryset`` hands them
    all to ``queries.subject_list``, as the page does."""

    classification = django_filters.MultipleChoiceFilter(choices=Classification.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    harm_band = django_filters.MultipleChoiceFilter(choices=HarmBand.choices, help_text="Perpetrators only.")
    borough = django_filters.CharFilter(help_text="ONS GSS code, e.g. E09000012")
    review_due_before = django_filters.DateFilter(help_text="Approved records due for review on or before this date.")
    overdue = django_filters.BooleanFilter(help_text="Approved records past their review date.")
    flag = django_filters.ChoiceFilter(choices=[(key, label) for key, (label, _filter) in FLAGS.items()])
    owner = django_filters.ChoiceFilter(choices=list(OWNERS.items()), help_text="Records you created or submitted.")
    sort = django_filters.ChoiceFilter(choices=[(key, option.label) for key, option in SORTS.items()])
    q = django_filters.CharFilter(help_text="Name, alias or reference")

    def filter_queryset(self, queryset):
        criteria = dict(self.form.cleaned_data)
        if criteria.get("borough"):
            # By id, not through a join on the code, so the list is read in order from the borough's own index.
            criteria["borough"] = Borough.objects.filter(code=criteria["borough"].strip().upper()).first()
            if criteria["borough"] is None:
                return queryset.none()
        rows, _order = subject_list(self.request.user, criteria, queryset)
        return rows
