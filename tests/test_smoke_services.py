from datetime import date

from matrix import services
from matrix.models import Borough


def test_create_subject_allocates_reference_and_history(officer):
    subject = services.create_subject(
        acting_user=officer,
        borough=Borough.objects.get(code="E09000012"),
        family_name="Testperson",
        given_names="Alpha",
        date_of_birth=date(2001, 1, 1),
        gender="male",
        ethnicity="not_stated",
        classification="suspected",
    )
    assert subject.reference.startswith("GM-")
    assert subject.harm_score is None  # no published harm method yet
    record = subject.history.get()
    assert record.history_user == officer
    assert record.history_change_reason == "Created as a draft"
