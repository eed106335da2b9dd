import django_filters

from matrix.choices import Classification, HarmBand, Status
from matrix.models import Borough, Subject
from matrix.queries import search_subjects


class SubjectFilter(django_filters.FilterSet):
    classification = django_filters.MultipleChoiceFilter(choices=Classification.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    harm_band = django_filters.MultipleChoiceFilter(choices=HarmBand.choices, distinct=False)
    borough = django_filters.CharFilter(method="in_borough", help_text="ONS GSS code, e.g. E09000012")
    review_due_before = django_filters.DateFilter(field_name="review_due", lookup_expr="lte")
    q = django_filters.CharFilter(method="search", help_text="Name, alias or reference")

    class Meta:
        model = Subject
        fields = ["classification", "status", "harm_band", "borough", "review_due_before", "q"]

    def in_borough(self, queryset, name, value):
        # By id, not through a join on the code, so the list is read in order from the borough's own index.
        borough_id = Borough.objects.filter(code=value.strip().upper()).values_list("pk", flat=True).first()
        return queryset.filter(borough_id=borough_id) if borough_id else queryset.none()

    def search(self, queryset, name, value):
        return search_subjects(queryset, value)
