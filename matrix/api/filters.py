import django_filters

from matrix.choices import Classification, HarmBand, Status
from matrix.models import Subject
from matrix.queries import search_subjects


class SubjectFilter(django_filters.FilterSet):
    classification = django_filters.MultipleChoiceFilter(choices=Classification.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    harm_band = django_filters.MultipleChoiceFilter(choices=HarmBand.choices)
    borough = django_filters.CharFilter(field_name="borough__code", help_text="ONS GSS code, e.g. E09000012")
    review_due_before = django_filters.DateFilter(field_name="review_due", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", help_text="Name, alias or reference")

    class Meta:
        model = Subject
        fields = ["classification", "status", "harm_band", "borough", "review_due_before", "q"]

    def search(self, queryset, name, value):
        return search_subjects(queryset, value)

