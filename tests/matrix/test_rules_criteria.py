"""Inclusion criteria rules (docs/rules.md, Whether an item counts; docs/rules.md, Inclusion criteria):
matrix.rules.item_verdict, evaluate_criterion, evaluate_criteria and criteria_met, plus
services.assess_subject over database rows.

The rules are pure, so most tests build unsaved model instances and pass a fixed ``today``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix import rules, services
from matrix.choices import (
    Classification,
    IntelligenceAssessment,
    SourceEvaluation,
    SourceType,
    Verification,
)
from tests.factories import (
    RULES_TODAY,
    CriterionFactory,
    EvidenceFactory,
    HarmMethodFactory,
    OffenceWeightFactory,
    SocialMediaEvidenceFactory,
    SubjectFactory,
    build_criterion,
    build_evidence,
)

TODAY = RULES_TODAY

NEEDS_ONE_NONE_FOUND = "Needs at least 1 qualifying item(s); 0 found."
INDEPENDENT_REASON = "Needs qualifying items from at least two independent sources."
ONLY_SOCIAL_MEDIA_REASON = "Only social media supports it, and social media never counts on its own."
ONLY_SOURCE_3_REASON = "Only sources graded 3 (not reliable) support it, and they never count on their own."
UNVERIFIED_REASON = "Unverified social media never counts; a supervisor must verify it and record how."
GRADE_E_REASON = "Graded E (suspected to be false or malicious): never counts."
SOCIAL_MEDIA_CAVEAT = "Social media never counts on its own: it needs support from another kind of source."
SOURCE_3_CAVEAT = "Source graded 3 (not reliable): never counts on its own."


def verified_social_media(**overrides):
    return build_evidence(source_type=SourceType.SOCIAL_MEDIA, verification=Verification.VERIFIED, **overrides)


def withdrawn(**overrides):
    return build_evidence(withdrawn_at=timezone.now(), withdrawal_reason="Duplicate of an earlier report.", **overrides)


def excluded_reasons(result) -> dict:
    return {item.source_reference: reason for item, reason in result.excluded}


# --- item_verdict ---------------------------------------------------------------------------------


def test_item_verdict_ordinary_item_counts_without_reasons_or_caveats():
    verdict = rules.item_verdict(build_evidence())

    assert verdict.counts is True
    assert verdict.reasons == ()
    assert verdict.caveats == ()


def test_item_verdict_unverified_social_media_never_counts_and_says_why():
    item = build_evidence(source_type=SourceType.SOCIAL_MEDIA, verification=Verification.UNVERIFIED)

    verdict = rules.item_verdict(item)

    assert verdict.counts is False
    assert verdict.reasons == (UNVERIFIED_REASON,)
    assert verdict.caveats == (SOCIAL_MEDIA_CAVEAT,)


def test_item_verdict_verified_social_media_counts_with_caveat_that_it_cannot_stand_alone():
    verdict = rules.item_verdict(verified_social_media())

    assert verdict.counts is True
    assert verdict.reasons == ()
    assert verdict.caveats == (SOCIAL_MEDIA_CAVEAT,)


def test_item_verdict_grade_e_never_counts_and_says_why():
    verdict = rules.item_verdict(build_evidence(intelligence_assessment=IntelligenceAssessment.SUSPECTED_FALSE))

    assert verdict.counts is False
    assert verdict.reasons == (GRADE_E_REASON,)


def test_item_verdict_withdrawn_item_never_counts_and_gives_the_withdrawal_reason():
    verdict = rules.item_verdict(withdrawn())

    assert verdict.counts is False
    assert verdict.reasons == ("Withdrawn: Duplicate of an earlier report.",)


def test_item_verdict_source_3_item_counts_with_caveat_that_it_cannot_stand_alone():
    verdict = rules.item_verdict(build_evidence(source_evaluation=SourceEvaluation.NOT_RELIABLE))

    assert verdict.counts is True
    assert verdict.reasons == ()
    assert verdict.caveats == (SOURCE_3_CAVEAT,)


def test_item_verdict_lists_every_reason_when_several_apply():
    item = build_evidence(
        source_type=SourceType.SOCIAL_MEDIA,
        verification=Verification.UNVERIFIED,
        intelligence_assessment=IntelligenceAssessment.SUSPECTED_FALSE,
        withdrawn_at=timezone.now(),
        withdrawal_reason="Entered in error.",
    )

    verdict = rules.item_verdict(item)

    assert verdict.counts is False
    assert verdict.reasons == ("Withdrawn: Entered in error.", GRADE_E_REASON, UNVERIFIED_REASON)


# --- grading minimums -----------------------------------------------------------------------------


def test_source_evaluation_weaker_than_minimum_does_not_qualify():
    criterion = build_criterion(min_source_evaluation=SourceEvaluation.RELIABLE)
    item = build_evidence(source_evaluation=SourceEvaluation.UNTESTED)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.items == ()
    assert result.excluded == ((item, "Source evaluation 2 is weaker than the 1 required."),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


@pytest.mark.parametrize("grade", [SourceEvaluation.RELIABLE, SourceEvaluation.UNTESTED])
def test_source_evaluation_at_or_better_than_minimum_qualifies(grade):
    criterion = build_criterion(min_source_evaluation=SourceEvaluation.UNTESTED)
    item = build_evidence(source_evaluation=grade)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is True
    assert result.items == (item,)
    assert result.reasons == ()
    assert result.excluded == ()


def test_source_3_is_weaker_than_a_minimum_of_2():
    criterion = build_criterion(min_source_evaluation="2")
    good, weak = build_evidence(source_reference="GOOD"), build_evidence(source_reference="WEAK", source_evaluation="3")

    result = rules.evaluate_criterion(criterion, [good, weak], TODAY)

    assert result.met is True
    assert result.items == (good,)
    assert excluded_reasons(result) == {"WEAK": "Source evaluation 3 is weaker than the 2 required."}


def test_intelligence_assessment_weaker_than_minimum_does_not_qualify():
    criterion = build_criterion(min_intelligence_assessment=IntelligenceAssessment.INDIRECT)
    item = build_evidence(intelligence_assessment=IntelligenceAssessment.NOT_KNOWN)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.items == ()
    assert result.excluded == ((item, "Intelligence assessment D is weaker than the C required."),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


@pytest.mark.parametrize("grade", ["A", "B", "C"])
def test_intelligence_assessment_at_or_better_than_minimum_qualifies(grade):
    criterion = build_criterion(min_intelligence_assessment="C")
    item = build_evidence(intelligence_assessment=grade)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is True
    assert result.items == (item,)


# --- look-back window -----------------------------------------------------------------------------


def test_lookback_item_exactly_at_the_window_edge_is_just_inside():
    criterion = build_criterion(lookback_days=365)
    item = build_evidence(information_date=TODAY - timedelta(days=365))

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is True
    assert result.items == (item,)
    assert result.excluded == ()


def test_lookback_item_one_day_beyond_the_window_is_just_outside():
    criterion = build_criterion(lookback_days=365)
    item = build_evidence(information_date=TODAY - timedelta(days=366))

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.items == ()
    assert result.excluded == ((item, "Older than the 365-day look-back window (before 15 March 2025)."),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


def test_lookback_is_measured_from_the_given_today():
    criterion = build_criterion(lookback_days=30)
    item = build_evidence(information_date=TODAY - timedelta(days=30))

    assert rules.evaluate_criterion(criterion, [item], TODAY).met is True
    assert rules.evaluate_criterion(criterion, [item], TODAY + timedelta(days=1)).met is False


# --- allowed source types -------------------------------------------------------------------------


def test_source_type_not_allowed_by_criterion_does_not_qualify():
    criterion = build_criterion(allowed_source_types=[SourceType.CONVICTION])
    item = build_evidence(source_type=SourceType.POLICE_RECORD)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.excluded == ((item, "Police record is not a source type this criterion accepts."),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


def test_source_type_allowed_by_criterion_qualifies():
    criterion = build_criterion(allowed_source_types=[SourceType.CONVICTION, SourceType.INTELLIGENCE_REPORT])
    conviction = build_evidence(source_type=SourceType.CONVICTION, source_reference="COURT-1")
    police = build_evidence(source_type=SourceType.POLICE_RECORD, source_reference="CAD-1")

    result = rules.evaluate_criterion(criterion, [conviction, police], TODAY)

    assert result.met is True
    assert result.items == (conviction,)
    assert excluded_reasons(result) == {"CAD-1": "Police record is not a source type this criterion accepts."}


# --- min_items ------------------------------------------------------------------------------------


def test_min_items_not_reached_is_not_met():
    criterion = build_criterion(min_items=3)
    items = [build_evidence(source_reference=f"REF-{n}") for n in range(2)]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is False
    assert result.items == tuple(items)
    assert result.reasons == ("Needs at least 3 qualifying item(s); 2 found.",)


def test_min_items_reached_is_met():
    criterion = build_criterion(min_items=3)
    items = [build_evidence(source_reference=f"REF-{n}") for n in range(3)]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is True
    assert result.items == tuple(items)
    assert result.reasons == ()


def test_min_items_counts_only_qualifying_items():
    criterion = build_criterion(min_items=2)
    good = build_evidence(source_reference="GOOD")
    too_old = build_evidence(source_reference="OLD", information_date=TODAY - timedelta(days=400))

    result = rules.evaluate_criterion(criterion, [good, too_old], TODAY)

    assert result.met is False
    assert result.items == (good,)
    assert result.reasons == ("Needs at least 2 qualifying item(s); 1 found.",)


def test_no_evidence_at_all_is_not_met():
    result = rules.evaluate_criterion(build_criterion(), [], TODAY)

    assert result.met is False
    assert result.items == ()
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


# --- two independent sources ----------------------------------------------------------------------


def test_independent_sources_two_items_from_the_same_source_reference_are_not_enough():
    criterion = build_criterion(requires_independent_sources=True, min_items=2)
    items = [build_evidence(source_reference="CAD-123"), build_evidence(source_reference="CAD-123")]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is False
    assert result.items == tuple(items)
    assert result.reasons == (INDEPENDENT_REASON,)


@pytest.mark.parametrize(
    "first, second",
    [
        ("CAD-123", "cad-123"),
        ("CAD-123", "  CAD-123  "),
        ("Met Intel 123", "met   intel\t123"),
        ("STRASSE-1", "straße-1"),
    ],
)
def test_independent_sources_references_differing_only_by_case_or_whitespace_are_the_same_source(first, second):
    criterion = build_criterion(requires_independent_sources=True)
    items = [build_evidence(source_reference=first), build_evidence(source_reference=second)]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is False
    assert result.reasons == (INDEPENDENT_REASON,)


def test_independent_sources_two_different_source_references_are_enough():
    criterion = build_criterion(requires_independent_sources=True)
    items = [build_evidence(source_reference="CAD-123"), build_evidence(source_reference="CAD-124")]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is True
    assert result.items == tuple(items)
    assert result.reasons == ()


def test_independent_sources_a_single_item_is_not_enough_even_when_min_items_is_1():
    criterion = build_criterion(requires_independent_sources=True, min_items=1)

    result = rules.evaluate_criterion(criterion, [build_evidence(source_reference="CAD-123")], TODAY)

    assert result.met is False
    assert result.reasons == (INDEPENDENT_REASON,)


def test_independent_sources_ignores_a_second_source_that_does_not_qualify():
    criterion = build_criterion(requires_independent_sources=True)
    good = build_evidence(source_reference="CAD-123")
    too_old = build_evidence(source_reference="CAD-999", information_date=TODAY - timedelta(days=400))

    result = rules.evaluate_criterion(criterion, [good, too_old], TODAY)

    assert result.met is False
    assert result.items == (good,)
    assert result.reasons == (INDEPENDENT_REASON,)


def test_independence_not_required_allows_items_from_one_source():
    criterion = build_criterion(requires_independent_sources=False, min_items=2)
    items = [build_evidence(source_reference="CAD-123"), build_evidence(source_reference="CAD-123")]

    assert rules.evaluate_criterion(criterion, items, TODAY).met is True


# --- social media ---------------------------------------------------------------------------------


def test_verified_social_media_alone_does_not_meet_a_criterion():
    criterion = build_criterion(min_items=2, requires_independent_sources=True)
    items = [verified_social_media(source_reference="POST-1"), verified_social_media(source_reference="POST-2")]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is False
    assert result.items == tuple(items)  # they qualify individually ...
    assert result.reasons == (ONLY_SOCIAL_MEDIA_REASON,)  # ... but cannot stand alone


def test_verified_social_media_with_a_police_record_meets_the_criterion():
    criterion = build_criterion(min_items=2, requires_independent_sources=True)
    posts = [verified_social_media(source_reference="POST-1"), verified_social_media(source_reference="POST-2")]
    police = build_evidence(source_type=SourceType.POLICE_RECORD, source_reference="CAD-1")

    result = rules.evaluate_criterion(criterion, [*posts, police], TODAY)

    assert result.met is True
    assert result.items == (*posts, police)
    assert result.reasons == ()


def test_unverified_social_media_never_counts_toward_a_criterion():
    criterion = build_criterion()
    post = build_evidence(source_type=SourceType.SOCIAL_MEDIA, source_reference="POST-1")

    result = rules.evaluate_criterion(criterion, [post], TODAY)

    assert rules.item_verdict(post).counts is False
    assert result.met is False
    assert result.items == ()
    assert result.excluded == ((post, UNVERIFIED_REASON),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


def test_unverified_social_media_does_not_make_up_min_items_or_independence():
    criterion = build_criterion(min_items=2, requires_independent_sources=True)
    police = build_evidence(source_reference="CAD-1")
    post = build_evidence(source_type=SourceType.SOCIAL_MEDIA, source_reference="POST-1")

    result = rules.evaluate_criterion(criterion, [police, post], TODAY)

    assert result.met is False
    assert result.items == (police,)
    assert result.reasons == ("Needs at least 2 qualifying item(s); 1 found.", INDEPENDENT_REASON)


# --- grade E, source 3, withdrawn -----------------------------------------------------------------


def test_grade_e_item_never_counts_toward_a_criterion():
    criterion = build_criterion(min_intelligence_assessment=IntelligenceAssessment.NOT_KNOWN)
    item = build_evidence(intelligence_assessment=IntelligenceAssessment.SUSPECTED_FALSE)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.items == ()
    assert result.excluded == ((item, GRADE_E_REASON),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


def test_source_3_item_alone_does_not_meet_a_criterion_that_accepts_source_3():
    criterion = build_criterion(min_source_evaluation=SourceEvaluation.NOT_RELIABLE)
    item = build_evidence(source_evaluation=SourceEvaluation.NOT_RELIABLE)

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.items == (item,)
    assert result.reasons == (ONLY_SOURCE_3_REASON,)


def test_several_source_3_items_together_still_do_not_meet_a_criterion():
    criterion = build_criterion(min_source_evaluation="3", min_items=2, requires_independent_sources=True)
    items = [build_evidence(source_evaluation="3", source_reference=f"INF-{n}") for n in range(3)]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    assert result.met is False
    assert result.reasons == (ONLY_SOURCE_3_REASON,)


@pytest.mark.parametrize("support_grade", [SourceEvaluation.RELIABLE, SourceEvaluation.UNTESTED])
def test_source_3_item_counts_alongside_a_source_1_or_2_item(support_grade):
    criterion = build_criterion(min_source_evaluation=SourceEvaluation.NOT_RELIABLE, min_items=2)
    weak = build_evidence(source_evaluation=SourceEvaluation.NOT_RELIABLE, source_reference="INF-1")
    support = build_evidence(source_evaluation=support_grade, source_reference="CAD-1")

    result = rules.evaluate_criterion(criterion, [weak, support], TODAY)

    assert result.met is True
    assert result.items == (weak, support)
    assert result.reasons == ()


def test_withdrawn_item_never_counts_toward_a_criterion():
    criterion = build_criterion()
    item = withdrawn()

    result = rules.evaluate_criterion(criterion, [item], TODAY)

    assert result.met is False
    assert result.items == ()
    assert result.excluded == ((item, "Withdrawn: Duplicate of an earlier report."),)
    assert result.reasons == (NEEDS_ONE_NONE_FOUND,)


def test_withdrawing_the_only_qualifying_item_unmeets_the_criterion():
    criterion = build_criterion()
    item = build_evidence()
    assert rules.evaluate_criterion(criterion, [item], TODAY).met is True

    item.withdrawn_at = timezone.now()
    item.withdrawal_reason = "Source retracted."

    result = rules.evaluate_criterion(criterion, [item], TODAY)
    assert result.met is False
    assert result.excluded == ((item, "Withdrawn: Source retracted."),)


# --- evaluate_criteria and criteria_met ------------------------------------------------------------


def test_evaluate_criteria_skips_criteria_for_other_classifications():
    perpetrators = build_criterion(code="perp", classifications=[Classification.SUSPECTED, Classification.CONVICTED])
    victims = build_criterion(code="victim", classifications=[Classification.VICTIM])
    at_risk = build_criterion(code="at-risk", classifications=[Classification.AT_RISK, Classification.VICTIM])
    items = [build_evidence()]

    results = rules.evaluate_criteria(Classification.SUSPECTED, [perpetrators, victims, at_risk], items, TODAY)
    assert [r.criterion for r in results] == [perpetrators]

    results = rules.evaluate_criteria(Classification.VICTIM, [perpetrators, victims, at_risk], items, TODAY)
    assert [r.criterion for r in results] == [victims, at_risk]


def test_evaluate_criteria_with_no_applicable_criterion_returns_nothing_and_is_not_met():
    victims_only = build_criterion(classifications=[Classification.VICTIM])

    results = rules.evaluate_criteria(Classification.CONVICTED, [victims_only], [build_evidence()], TODAY)

    assert results == []
    assert rules.criteria_met(results) is False


def test_evaluate_criteria_accepts_a_one_shot_iterable_of_items():
    first = build_criterion(code="first")
    second = build_criterion(code="second")
    item = build_evidence()

    results = rules.evaluate_criteria(Classification.SUSPECTED, [first, second], iter([item]), TODAY)

    assert [r.items for r in results] == [(item,), (item,)]


def test_evaluate_criteria_lists_which_items_met_each_criterion():
    convictions = build_criterion(code="convictions", allowed_source_types=[SourceType.CONVICTION])
    intelligence = build_criterion(
        code="intelligence",
        allowed_source_types=[SourceType.INTELLIGENCE_REPORT, SourceType.POLICE_RECORD],
        min_items=2,
        requires_independent_sources=True,
    )
    conviction = build_evidence(source_type=SourceType.CONVICTION, source_reference="COURT-1")
    report = build_evidence(source_type=SourceType.INTELLIGENCE_REPORT, source_reference="INT-1")
    police = build_evidence(source_type=SourceType.POLICE_RECORD, source_reference="CAD-1")

    results = rules.evaluate_criteria(
        Classification.CONVICTED, [convictions, intelligence], [conviction, report, police], TODAY
    )

    by_code = {r.criterion.code: r for r in results}
    assert by_code["convictions"].met is True
    assert by_code["convictions"].items == (conviction,)
    assert {i.source_reference for i, _ in by_code["convictions"].excluded} == {"INT-1", "CAD-1"}
    assert by_code["intelligence"].met is True
    assert by_code["intelligence"].items == (report, police)
    assert [i for i, _ in by_code["intelligence"].excluded] == [conviction]


def test_criteria_met_is_true_when_any_criterion_is_met():
    strict = build_criterion(code="strict", min_items=5)
    lenient = build_criterion(code="lenient", min_items=1)

    results = rules.evaluate_criteria(Classification.SUSPECTED, [strict, lenient], [build_evidence()], TODAY)

    assert [r.met for r in results] == [False, True]
    assert rules.criteria_met(results) is True


def test_criteria_met_is_false_when_no_criterion_is_met():
    strict = build_criterion(code="strict", min_items=5)
    convictions = build_criterion(code="convictions", allowed_source_types=[SourceType.CONVICTION])

    results = rules.evaluate_criteria(Classification.SUSPECTED, [strict, convictions], [build_evidence()], TODAY)

    assert [r.met for r in results] == [False, False]
    assert rules.criteria_met(results) is False


def test_criteria_met_of_no_results_is_false():
    assert rules.criteria_met([]) is False


# --- services.assess_subject (database) -------------------------------------------------------------


@pytest.mark.django_db
def test_assess_subject_uses_current_criteria_and_lists_items_meeting_them():
    today = timezone.localdate()
    subject = SubjectFactory(classification=Classification.SUSPECTED)
    police = EvidenceFactory(subject=subject, source_reference="CAD-1")
    old = EvidenceFactory(subject=subject, source_reference="CAD-2", information_date=today - timedelta(days=400))
    current = CriterionFactory(code="violence", lookback_days=365)
    CriterionFactory(code="draft-rule", is_current=False, published_at=None, min_items=1)  # never evaluated

    assessment = services.assess_subject(subject, today=today)

    assert [r.criterion.pk for r in assessment.criteria] == [current.pk]
    assert assessment.criteria[0].met is True
    assert [i.pk for i in assessment.criteria[0].items] == [police.pk]
    assert [(i.pk, reason) for i, reason in assessment.criteria[0].excluded] == [
        (
            old.pk,
            f"Older than the 365-day look-back window (before {(today - timedelta(days=365)).day} {today - timedelta(days=365):%B %Y}).",
        )
    ]
    assert assessment.criteria_met is True


@pytest.mark.django_db
def test_assess_subject_gives_a_verdict_for_every_item_keyed_by_pk():
    subject = SubjectFactory()
    police = EvidenceFactory(subject=subject)
    post = SocialMediaEvidenceFactory(subject=subject)
    gone = EvidenceFactory(
        subject=subject,
        withdrawn_at=timezone.now(),
        withdrawn_by=subject.created_by,
        withdrawal_reason="Wrong person.",
    )

    assessment = services.assess_subject(subject)

    assert set(assessment.verdicts) == {police.pk, post.pk, gone.pk}
    assert assessment.verdicts[police.pk].counts is True
    assert assessment.verdicts[post.pk].counts is False
    assert assessment.verdicts[post.pk].reasons == (UNVERIFIED_REASON,)
    assert assessment.verdicts[gone.pk].counts is False
    assert assessment.verdicts[gone.pk].reasons == ("Withdrawn: Wrong person.",)


@pytest.mark.django_db
def test_assess_subject_not_met_when_only_verified_social_media_supports_it():
    subject = SubjectFactory()
    SocialMediaEvidenceFactory(subject=subject, verified=True)
    SocialMediaEvidenceFactory(subject=subject, verified=True)
    CriterionFactory()

    assessment = services.assess_subject(subject)

    assert assessment.criteria_met is False
    assert assessment.criteria[0].reasons == (ONLY_SOCIAL_MEDIA_REASON,)

    police = EvidenceFactory(subject=subject)
    assessment = services.assess_subject(subject)
    assert assessment.criteria_met is True
    assert police.pk in {i.pk for i in assessment.criteria[0].items}


@pytest.mark.django_db
def test_assess_subject_skips_criteria_for_other_classifications():
    subject = SubjectFactory(classification=Classification.AT_RISK)
    EvidenceFactory(subject=subject)
    CriterionFactory(code="perp", classifications=[Classification.SUSPECTED, Classification.CONVICTED])
    at_risk = CriterionFactory(code="risk", classifications=[Classification.AT_RISK])

    assessment = services.assess_subject(subject)

    assert [r.criterion.pk for r in assessment.criteria] == [at_risk.pk]
    assert assessment.criteria_met is True


@pytest.mark.django_db
def test_assess_subject_with_no_current_criteria_is_not_met():
    subject = SubjectFactory()
    EvidenceFactory(subject=subject)

    assessment = services.assess_subject(subject)

    assert assessment.criteria == []
    assert assessment.criteria_met is False


@pytest.mark.django_db
def test_assess_subject_uses_rows_passed_in_instead_of_querying(django_assert_num_queries):
    subject = SubjectFactory()
    stored = EvidenceFactory(subject=subject)
    CriterionFactory(code="stored-criterion")
    OffenceWeightFactory()  # a current method in the database; passing method=... must win
    method = HarmMethodFactory(version=99, is_current=False)  # published earlier, since superseded
    criterion = build_criterion(code="passed-in", min_items=2)
    items = [build_evidence(source_reference="A"), build_evidence(source_reference="B")]

    with django_assert_num_queries(1):  # only the weights of the passed-in method
        assessment = services.assess_subject(subject, evidence=items, criteria=[criterion], method=method, today=TODAY)

    assert [r.criterion for r in assessment.criteria] == [criterion]
    assert assessment.criteria[0].items == tuple(items)
    assert stored.pk not in {i.pk for i in assessment.criteria[0].items}
    assert assessment.harm.method_version == 99


# --- properties -----------------------------------------------------------------------------------

item_specs = st.fixed_dictionaries(
    {
        "source_type": st.sampled_from([c.value for c in SourceType]),
        "source_reference": st.sampled_from(["CAD-1", "cad-1 ", "CAD-2", "INT-7", "POST-9"]),
        "source_evaluation": st.sampled_from(["1", "2", "3"]),
        "intelligence_assessment": st.sampled_from(["A", "B", "C", "D", "E"]),
        "age_days": st.integers(min_value=0, max_value=800),
        "verified": st.booleans(),
        "withdrawn": st.booleans(),
    }
)

criterion_specs = st.fixed_dictionaries(
    {
        "classifications": st.just([Classification.SUSPECTED]),
        "min_items": st.integers(min_value=1, max_value=4),
        "min_source_evaluation": st.sampled_from(["1", "2", "3"]),
        "min_intelligence_assessment": st.sampled_from(["A", "B", "C", "D"]),
        "allowed_source_types": st.lists(
            st.sampled_from([c.value for c in SourceType]), min_size=1, max_size=6, unique=True
        ),
        "lookback_days": st.integers(min_value=1, max_value=730),
        "requires_independent_sources": st.booleans(),
    }
)


def item_from(spec):
    social = spec["source_type"] == SourceType.SOCIAL_MEDIA
    extra = {}
    if social:
        extra["verification"] = Verification.VERIFIED if spec["verified"] else Verification.UNVERIFIED
    if spec["withdrawn"]:
        extra.update(withdrawn_at=timezone.now(), withdrawal_reason="Withdrawn in a property test.")
    return build_evidence(
        source_type=spec["source_type"],
        source_reference=spec["source_reference"],
        source_evaluation=spec["source_evaluation"],
        intelligence_assessment=spec["intelligence_assessment"],
        information_date=TODAY - timedelta(days=spec["age_days"]),
        **extra,
    )


def outcome(results):
    return [(r.criterion, r.met, r.items, r.reasons) for r in results]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    criteria=st.lists(criterion_specs, min_size=1, max_size=3),
    specs=st.lists(item_specs, max_size=6),
    e_spec=item_specs,
    position=st.integers(min_value=0, max_value=6),
)
def test_property_adding_an_item_graded_e_never_changes_any_criterion_result(criteria, specs, e_spec, position):
    criteria = [build_criterion(code=f"c{n}", **spec) for n, spec in enumerate(criteria)]
    items = [item_from(spec) for spec in specs]
    graded_e = item_from({**e_spec, "intelligence_assessment": "E"})
    with_e = [*items[:position], graded_e, *items[position:]]

    before = rules.evaluate_criteria(Classification.SUSPECTED, criteria, items, TODAY)
    after = rules.evaluate_criteria(Classification.SUSPECTED, criteria, with_e, TODAY)

    assert outcome(after) == outcome(before)
    assert rules.criteria_met(after) == rules.criteria_met(before)
    for result in after:
        assert graded_e not in result.items
        assert any(item is graded_e and GRADE_E_REASON in reason for item, reason in result.excluded)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(criterion=criterion_specs, specs=st.lists(item_specs, max_size=6))
def test_property_a_met_criterion_always_rests_on_sound_items(criterion, specs):
    criterion = build_criterion(**criterion)
    items = [item_from(spec) for spec in specs]

    result = rules.evaluate_criterion(criterion, items, TODAY)

    # Every item is either qualifying or excluded with a reason, never both, never neither.
    assert len(result.items) + len(result.excluded) == len(items)
    assert all(reason for _item, reason in result.excluded)
    assert result.met == (not result.reasons)
    for item in result.items:
        assert rules.item_verdict(item).counts
    if result.met:
        assert len(result.items) >= criterion.min_items
        assert any(i.source_type != SourceType.SOCIAL_MEDIA for i in result.items)
        assert any(i.source_evaluation != SourceEvaluation.NOT_RELIABLE for i in result.items)
        if criterion.requires_independent_sources:
            assert len({" ".join(i.source_reference.split()).lower() for i in result.items}) >= 2


def test_a_perpetrators_own_victimisation_never_meets_a_perpetrator_criterion():
    victimisation = build_evidence(relates_to_victimisation=True)
    [result] = rules.evaluate_criteria(Classification.SUSPECTED, [build_criterion()], [victimisation], RULES_TODAY)
    assert not result.met
    assert result.excluded == ((victimisation, rules.VICTIMISATION_NEVER_AGAINST),)


def test_victimisation_counts_for_a_victim_criterion():
    victimisation = build_evidence(relates_to_victimisation=True)
    criterion = build_criterion(classifications=[Classification.VICTIM])
    [result] = rules.evaluate_criteria(Classification.VICTIM, [criterion], [victimisation], RULES_TODAY)
    assert result.met
