import django_filters
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend

from audit.models import AccessEvent, Action, Outcome
from audit.queries import EventSearch


class EventFilter(django_filters.FilterSet):
    """The same filters as the access log page, applied by the same query (``EventSearch``)."""

    actor = django_filters.CharFilter(help_text="Username of who acted (exact).")
    subject = django_filters.CharFilter(help_text="Subject reference, e.g. GM-2026-000123.")
    action = django_filters.ChoiceFilter(choices=Action.choices)
    borough = django_filters.CharFilter(help_text="ONS GSS code of the subject's borough, e.g. E09000012.")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    date_from = django_filters.DateFilter(help_text="Entries on or after this date (local time).")
    date_to = django_filters.DateFilter(help_text="Entries on or before this date (local time).")

    class Meta:
        model = AccessEvent
        fields = ["actor", "subject", "action", "borough", "outcome", "date_from", "date_to"]


class EventFilterBackend(DjangoFilterBackend):
    """Validates the filters and hands the view the ``EventSearch`` it ran, so the search can be logged."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        view.event_search = EventSearch.of(filterset.form.cleaned_data)
        return view.event_search.events()
