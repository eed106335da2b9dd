"""Harm score rules (docs/rules.md, Harm score): matrix.rules.assess_harm and band_for, plus services.assess_subject.

score = sum over qualifying offence items of weight x 0.5 ** (age_days / half_life_days),
banded by the method's amber and red thresholds. Pure tests use unsaved instances and a fixed today.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matrix import rules, services
from matrix.choices import (
    Classification,
    HarmBand,
    IntelligenceAssessment,
    SourceEvaluation,
    SourceType,
    Verification,
)
from tests.factories import (
    RULES_TODAY,
    EvidenceFactory,
    HarmMethodFactory,
    OffenceTypeFactory,
    OffenceWeightFactory,
    SocialMediaEvidenceFactory,
    SubjectFactory,
    build_evidence,
    build_method,
)

TODAY = RULES_TODAY
KNIFE, DRUGS, UNWEIGHTED = 1, 2, 3
WEIGHTS = {KNIFE: Decimal("10.00"), DRUGS: Decimal("4.00")}

UNVERIFIED_REASON = "Unverified social media never counts; a supervisor must verify it and record how."
GRADE_E_REASON = "Graded E (suspected to be false or malicious): never counts."
ONLY_SOCIAL_MEDIA_REASON = "Only social media supports it, and social media never counts on its own."
ONLY_SOURCE_3_REASON = "Only sources graded 3 (not reliable) support it, and they never count on their own."


def offence(offence_type_id=KNIFE, age_days=0, **overrides):
    return build_evidence(
        offence_type_id=offence_type_id, information_date=TODAY - timedelta(days=age_days), **overrides
    )


def harm(items, *, classification=Classification.SUSPECTED, method=None, weights=None):
    return rules.assess_harm(
        classification,
        items,
        build_method() if method is None else method,
        WEIGHTS if weights is None else weights,
        TODAY,
    )


# --- who is scored --------------------------------------------------------------------------------


@pytest.mark.parametrize("classification", [Classification.VICTIM, Classification.AT_RISK])
def test_victims_and_people_at_risk_are_never_scored(classification):
    result = harm([offence(age_days=10)], classification=classification)

    assert result.applicable is False
    assert result.score is None
    assert result.band == ""
    assert result.method_version is None
    assert result.lines == ()
    assert result.explanation == "Victims and people at risk are never harm-scored."
    assert result.zero_flag is False


def test_victims_are_not_scored_even_without_a_published_method():
    result = rules.assess_harm(Classification.VICTIM, [offence()], None, {}, TODAY)

    assert result.applicable is False
    assert result.score is None
    assert result.explanation == "Victims and people at risk are never harm-scored."


@pytest.mark.parametrize("classification", [Classification.SUSPECTED, Classification.CONVICTED])
def test_perpetrators_are_scored(classification):
    result = harm([offence(age_days=0)], classification=classification)

    assert result.applicable is True
    assert result.score == Decimal("10.00")


# --- the sum and its working ----------------------------------------------------------------------


def test_score_is_sum_of_weight_times_half_life_decay_with_a_line_per_item():
    fresh = offence(KNIFE, age_days=0, source_reference="A")
    one_half_life = offence(KNIFE, age_days=365, source_reference="B")
    two_half_lives = offence(DRUGS, age_days=730, source_reference="C")

    result = harm([fresh, one_half_life, two_half_lives])

    # 10 x 1 + 10 x 0.5 + 4 x 0.25
    assert result.score == Decimal("16.00")
    assert [(line.item, line.counted) for line in result.lines] == [
        (fresh, True),
        (one_half_life, True),
        (two_half_lives, True),
    ]
    assert [(line.weight, line.age_days, line.decay, line.contribution) for line in result.lines] == [
        (Decimal("10.00"), 0, Decimal("1.0"), Decimal("10.00")),
        (Decimal("10.00"), 365, Decimal("0.5"), Decimal("5.00")),
        (Decimal("4.00"), 730, Decimal("0.25"), Decimal("1.00")),
    ]
    assert result.lines[1].reason == "Weight 10.00 halved every 365 days; 365 days old."
    assert result.explanation == (
        "Sum of 3 qualifying offence item(s) under scoring method v3: amber from 10.00, red from 30.00."
    )


def test_decay_for_a_partial_half_life_is_shown_to_four_places_and_matches_the_contribution():
    item = offence(KNIFE, age_days=100)  # 0.5 ** (100 / 365) = 0.82703907...

    (line,) = harm([item]).lines

    assert line.counted is True
    assert line.weight == Decimal("10.00")
    assert line.age_days == 100
    assert line.decay == Decimal("0.8270")
    assert line.contribution == Decimal("8.27")
    assert abs(line.decay - Decimal(0.5 ** (100 / 365))) < Decimal("0.00005")
    assert line.reason == "Weight 10.00 halved every 365 days; 100 days old."


def test_half_life_comes_from_the_method():
    item = offence(KNIFE, age_days=30)

    (line,) = harm([item], method=build_method(half_life_days=30)).lines

    assert line.decay == Decimal("0.5")
    assert line.contribution == Decimal("5.00")
    assert line.reason == "Weight 10.00 halved every 30 days; 30 days old."


def test_score_is_rounded_to_pence_and_equals_the_sum_of_line_contributions():
    items = [offence(KNIFE, age_days=age, source_reference=f"R{age}") for age in (1, 17, 200, 999)]

    result = harm(items)

    assert result.score == sum(line.contribution for line in result.lines)
    assert result.score == result.score.quantize(Decimal("0.01"))
    assert Decimal("0") < result.score < Decimal("40.00")


def test_information_dated_after_today_is_treated_as_age_zero():
    result = harm([build_evidence(offence_type_id=KNIFE, information_date=TODAY + timedelta(days=3))])

    (line,) = result.lines
    assert line.age_days == 0
    assert line.decay == Decimal("1.0")
    assert result.score == Decimal("10.00")


# --- bands ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score, band",
    [
        (Decimal("0.00"), ""),  # nothing counts: no band (the zero flag asks for removal review)
        (Decimal("0.01"), HarmBand.GREEN),
        (Decimal("9.99"), HarmBand.GREEN),
        (Decimal("10.00"), HarmBand.AMBER),
        (Decimal("29.99"), HarmBand.AMBER),
        (Decimal("30.00"), HarmBand.RED),
        (Decimal("500.00"), HarmBand.RED),
    ],
)
def test_band_thresholds(score, band):
    assert rules.band_for(score, build_method(amber_threshold=Decimal("10.00"), red_threshold=Decimal("30.00"))) == band


def test_band_green_below_amber_threshold():
    result = harm([offence(DRUGS, age_days=0)])  # 4.00

    assert result.score == Decimal("4.00")
    assert result.band == HarmBand.GREEN


def test_band_amber_at_exactly_the_amber_threshold():
    result = harm([offence(KNIFE, age_days=0)])  # 10.00

    assert result.score == Decimal("10.00")
    assert result.band == HarmBand.AMBER


def test_band_red_at_exactly_the_red_threshold():
    items = [offence(KNIFE, age_days=0, source_reference=f"CAD-{n}") for n in range(3)]  # 30.00

    result = harm(items)

    assert result.score == Decimal("30.00")
    assert result.band == HarmBand.RED


def test_band_uses_the_methods_own_thresholds():
    method = build_method(amber_threshold=Decimal("2.00"), red_threshold=Decimal("4.00"))

    result = harm([offence(DRUGS, age_days=0)], method=method)  # 4.00

    assert result.band == HarmBand.RED
    assert result.explanation.endswith("amber from 2.00, red from 4.00.")


# --- items that are ignored or not counted --------------------------------------------------------


def test_items_without_an_offence_type_are_ignored():
    no_offence = build_evidence(offence_type_id=None, source_reference="NO-OFFENCE")
    scored = offence(KNIFE, age_days=0, source_reference="SCORED")

    result = harm([no_offence, scored])

    assert [line.item for line in result.lines] == [scored]
    assert result.score == Decimal("10.00")


def test_only_items_without_an_offence_type_give_zero_and_no_lines():
    result = harm([build_evidence(offence_type_id=None)])

    assert result.lines == ()
    assert result.score == Decimal("0.00")
    assert result.zero_flag is True


def test_offence_type_without_a_weight_in_the_method_is_shown_not_counted_with_reason():
    unweighted = offence(UNWEIGHTED, age_days=0, source_reference="U")
    weighted = offence(KNIFE, age_days=0, source_reference="W")

    result = harm([unweighted, weighted])

    line = result.lines[0]
    assert line.item is unweighted
    assert line.counted is False
    assert line.reason == "Offence type has no weight in scoring method v3."
    assert line.contribution == Decimal("0.00")
    assert line.weight is None
    assert result.score == Decimal("10.00")
    assert result.explanation.startswith("Sum of 1 qualifying offence item(s)")


def test_unverified_social_media_contributes_nothing_and_says_why():
    post = offence(KNIFE, source_type=SourceType.SOCIAL_MEDIA, verification=Verification.UNVERIFIED)
    police = offence(DRUGS, source_reference="CAD-1")

    result = harm([post, police])

    assert result.lines[0].item is post
    assert result.lines[0].counted is False
    assert result.lines[0].contribution == Decimal("0.00")
    assert result.lines[0].reason == UNVERIFIED_REASON
    assert result.score == Decimal("4.00")


def test_grade_e_item_contributes_nothing_and_says_why():
    graded_e = offence(KNIFE, intelligence_assessment=IntelligenceAssessment.SUSPECTED_FALSE)

    result = harm([graded_e])

    (line,) = result.lines
    assert line.counted is False
    assert line.contribution == Decimal("0.00")
    assert line.reason == GRADE_E_REASON
    assert result.score == Decimal("0.00")


def test_withdrawn_item_contributes_nothing_and_says_why():
    gone = offence(KNIFE, withdrawn_at=timezone.now(), withdrawal_reason="Charges dropped; record corrected.")

    result = harm([gone])

    (line,) = result.lines
    assert line.counted is False
    assert line.contribution == Decimal("0.00")
    assert line.reason == "Withdrawn: Charges dropped; record corrected."
    assert result.score == Decimal("0.00")


def test_score_made_only_of_source_3_items_is_zero_with_reason():
    items = [
        offence(KNIFE, source_evaluation=SourceEvaluation.NOT_RELIABLE, source_reference=f"INF-{n}") for n in range(2)
    ]

    result = harm(items)

    assert result.score == Decimal("0.00")
    assert result.band == ""
    assert result.description == "0.00 (no band: no qualifying offence counts)"
    assert [(line.counted, line.contribution, line.reason) for line in result.lines] == [
        (False, Decimal("0.00"), ONLY_SOURCE_3_REASON),
        (False, Decimal("0.00"), ONLY_SOURCE_3_REASON),
    ]
    assert result.zero_flag is True
    assert result.explanation.startswith("Sum of 0 qualifying offence item(s)")


def test_score_made_only_of_verified_social_media_is_zero_with_reason():
    posts = [
        offence(KNIFE, source_type=SourceType.SOCIAL_MEDIA, verification=Verification.VERIFIED, source_reference="P1"),
        offence(DRUGS, source_type=SourceType.SOCIAL_MEDIA, verification=Verification.VERIFIED, source_reference="P2"),
    ]

    result = harm(posts)

    assert result.score == Decimal("0.00")
    assert [(line.counted, line.contribution, line.reason) for line in result.lines] == [
        (False, Decimal("0.00"), ONLY_SOCIAL_MEDIA_REASON),
        (False, Decimal("0.00"), ONLY_SOCIAL_MEDIA_REASON),
    ]
    assert result.zero_flag is True


def test_source_3_and_verified_social_media_count_when_supported_by_a_sound_item():
    weak = offence(KNIFE, source_evaluation=SourceEvaluation.NOT_RELIABLE, source_reference="INF-1")
    post = offence(
        KNIFE, source_type=SourceType.SOCIAL_MEDIA, verification=Verification.VERIFIED, source_reference="P1"
    )
    sound = offence(DRUGS, source_reference="CAD-1")

    result = harm([weak, post, sound])

    assert [line.counted for line in result.lines] == [True, True, True]
    assert result.score == Decimal("24.00")


def test_lone_support_rule_leaves_already_uncounted_lines_with_their_own_reason():
    weak = offence(KNIFE, source_evaluation=SourceEvaluation.NOT_RELIABLE, source_reference="INF-1")
    gone = offence(DRUGS, withdrawn_at=timezone.now(), withdrawal_reason="Duplicate.", source_reference="CAD-1")

    result = harm([weak, gone])

    assert [(line.counted, line.reason) for line in result.lines] == [
        (False, ONLY_SOURCE_3_REASON),
        (False, "Withdrawn: Duplicate."),
    ]
    assert result.score == Decimal("0.00")


# --- zero flag, method version, no method -----------------------------------------------------------


def test_no_evidence_is_never_scored():
    result = harm([])

    assert result.applicable is True
    assert (result.score, result.band, result.method_version) == (None, "", None)
    assert result.zero_flag is False


def test_zero_score_sets_zero_flag():
    withdrawn = offence(KNIFE, withdrawn_at=timezone.now(), withdrawal_reason="Withdrawn in a test.")
    result = harm([withdrawn])

    assert result.applicable is True
    assert result.score == Decimal("0.00")
    assert result.band == ""
    assert result.zero_flag is True


def test_non_zero_score_does_not_set_zero_flag():
    assert harm([offence(DRUGS)]).zero_flag is False


def test_fully_decayed_score_rounds_to_zero_and_sets_zero_flag():
    result = harm([offence(DRUGS, age_days=365 * 20)])  # 4 x 0.5 ** 20 ~ 0.000004

    assert result.lines[0].counted is True
    assert result.score == Decimal("0.00")
    assert result.zero_flag is True


def test_method_version_is_reported():
    result = harm([offence()], method=build_method(version=7))

    assert result.method_version == 7
    assert "scoring method v7" in result.explanation


def test_no_published_method_gives_no_score_with_explanation():
    result = rules.assess_harm(Classification.CONVICTED, [offence()], None, {}, TODAY)

    assert result.applicable is True
    assert result.score is None
    assert result.band == ""
    assert result.method_version is None
    assert result.lines == ()
    assert result.explanation == "No harm scoring method has been published yet."
    assert result.zero_flag is False


# --- services.assess_subject (database) -------------------------------------------------------------


@pytest.mark.django_db
def test_assess_subject_scores_a_perpetrator_with_the_current_method():
    today = timezone.localdate()
    knife = OffenceTypeFactory(code="test-knife")
    drugs = OffenceTypeFactory(code="test-drugs")
    method = HarmMethodFactory(version=4, half_life_days=100)
    OffenceWeightFactory(method=method, offence_type=knife, weight=Decimal("20.00"))
    OffenceWeightFactory(method=method, offence_type=drugs, weight=Decimal("6.00"))
    subject = SubjectFactory(classification=Classification.CONVICTED)
    recent = EvidenceFactory(subject=subject, offence_type=knife, information_date=today)
    older = EvidenceFactory(subject=subject, offence_type=drugs, information_date=today - timedelta(days=100))
    EvidenceFactory(subject=subject, offence_type=None)

    result = services.assess_subject(subject, today=today).harm

    assert result.applicable is True
    assert result.method_version == 4
    assert result.score == Decimal("23.00")  # 20 x 1 + 6 x 0.5
    assert result.band == HarmBand.AMBER
    assert {line.item.pk: line.contribution for line in result.lines} == {
        recent.pk: Decimal("20.00"),
        older.pk: Decimal("3.00"),
    }


@pytest.mark.django_db
def test_assess_subject_ignores_a_superseded_method():
    knife = OffenceTypeFactory(code="test-knife")
    HarmMethodFactory(version=1, is_current=False, superseded_at=timezone.now())
    current = HarmMethodFactory(version=2)
    OffenceWeightFactory(method=current, offence_type=knife, weight=Decimal("5.00"))
    subject = SubjectFactory()
    EvidenceFactory(subject=subject, offence_type=knife, information_date=timezone.localdate())

    result = services.assess_subject(subject).harm

    assert result.method_version == 2
    assert result.score == Decimal("5.00")


@pytest.mark.django_db
def test_assess_subject_never_scores_a_victim():
    weight = OffenceWeightFactory()
    subject = SubjectFactory(classification=Classification.VICTIM)
    EvidenceFactory(subject=subject, offence_type=weight.offence_type, relates_to_victimisation=True)

    result = services.assess_subject(subject).harm

    assert result.applicable is False
    assert result.score is None
    assert result.explanation == "Victims and people at risk are never harm-scored."


@pytest.mark.django_db
def test_assess_subject_without_a_published_method_gives_no_score():
    subject = SubjectFactory()
    EvidenceFactory(subject=subject, offence_type=OffenceTypeFactory())

    result = services.assess_subject(subject).harm

    assert result.score is None
    assert result.explanation == "No harm scoring method has been published yet."


@pytest.mark.django_db
def test_assess_subject_zero_flag_when_only_unverified_social_media_scores():
    weight = OffenceWeightFactory()
    subject = SubjectFactory()
    post = SocialMediaEvidenceFactory(subject=subject, offence_type=weight.offence_type)

    result = services.assess_subject(subject).harm

    assert result.score == Decimal("0.00")
    assert result.zero_flag is True
    assert [(line.item.pk, line.counted, line.reason) for line in result.lines] == [(post.pk, False, UNVERIFIED_REASON)]


# --- properties -----------------------------------------------------------------------------------

harm_item_specs = st.fixed_dictionaries(
    {
        "offence_type_id": st.sampled_from([None, KNIFE, DRUGS, UNWEIGHTED]),
        "source_type": st.sampled_from([c.value for c in SourceType]),
        "source_evaluation": st.sampled_from(["1", "2", "3"]),
        "intelligence_assessment": st.sampled_from(["A", "B", "C", "D", "E"]),
        "age_days": st.integers(min_value=-5, max_value=5000),
        "verified": st.booleans(),
        "withdrawn": st.booleans(),
    }
)

weights_strategy = st.dictionaries(
    st.sampled_from([KNIFE, DRUGS, UNWEIGHTED]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
)


def harm_item_from(spec):
    extra = {}
    if spec["source_type"] == SourceType.SOCIAL_MEDIA:
        extra["verification"] = Verification.VERIFIED if spec["verified"] else Verification.UNVERIFIED
    if spec["withdrawn"]:
        extra.update(withdrawn_at=timezone.now(), withdrawal_reason="Withdrawn in a property test.")
    return build_evidence(
        offence_type_id=spec["offence_type_id"],
        source_type=spec["source_type"],
        source_evaluation=spec["source_evaluation"],
        intelligence_assessment=spec["intelligence_assessment"],
        information_date=TODAY - timedelta(days=spec["age_days"]),
        **extra,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.lists(harm_item_specs, max_size=8),
    weights=weights_strategy,
    half_life=st.integers(min_value=1, max_value=3650),
)
@example(  # 0.01 x 0.5 = 0.005 rounds half up to 0.01, not half even to 0.00
    specs=[
        {
            "offence_type_id": DRUGS,
            "source_type": "police_record",
            "source_evaluation": "1",
            "intelligence_assessment": "A",
            "age_days": 1,
            "verified": False,
            "withdrawn": False,
        }
    ],
    weights={DRUGS: Decimal("0.01")},
    half_life=1,
)
def test_property_score_is_never_negative_and_is_the_sum_of_counted_contributions(specs, weights, half_life):
    items = [harm_item_from(spec) for spec in specs]
    method = build_method(half_life_days=half_life)

    result = rules.assess_harm(Classification.SUSPECTED, items, method, weights, TODAY)

    if not items:  # nothing recorded, nothing assessed: never scored rather than 0.00 (green)
        assert result.score is None and result.lines == () and not result.zero_flag
        return
    assert result.score >= 0
    assert result.score == sum((line.contribution for line in result.lines if line.counted), Decimal("0"))
    assert result.band == rules.band_for(result.score, method)
    assert result.zero_flag == (result.score == 0)
    assert [line.item for line in result.lines] == [i for i in items if i.offence_type_id is not None]
    for line in result.lines:
        assert line.reason
        if line.counted:
            assert rules.item_verdict(line.item).counts
            assert line.weight == weights[line.item.offence_type_id]
            assert Decimal("0") <= line.decay <= Decimal("1")
            # Each line is reproducible from what it shows: weight x decay, rounded half up to pence.
            assert line.contribution == (line.weight * line.decay).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert abs(line.decay - Decimal(0.5 ** (line.age_days / half_life))) <= Decimal("0.00005")
        else:
            assert line.contribution == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(harm_item_specs, max_size=8), e_spec=harm_item_specs)
def test_property_adding_an_item_graded_e_or_withdrawn_never_changes_the_score(specs, e_spec):
    items = [harm_item_from(spec) for spec in specs]
    graded_e = harm_item_from({**e_spec, "intelligence_assessment": "E"})
    withdrawn = harm_item_from({**e_spec, "withdrawn": True})

    before = harm(items)
    # The first item of all makes the person scored (0.00 when it does not count); after that, never a change.
    expected = before.score if items else Decimal("0.00")

    assert harm([*items, graded_e]).score == expected
    assert harm([withdrawn, *items]).score == expected


def test_a_perpetrators_own_victimisation_never_adds_to_their_harm_score():
    stabbed = offence(KNIFE, age_days=10, source_reference="CRIS-VICTIM")
    stabbed.relates_to_victimisation = True
    result = harm([stabbed])
    assert result.score == Decimal("0.00")
    assert result.lines[0].counted is False
    assert result.lines[0].reason == rules.VICTIMISATION_NEVER_AGAINST
