"""Rows the demo and the volume data set both make, built one way.

Each builder draws from the generator it is given, in a fixed order, so the same seed gives
the same rows whichever data set calls it. They build unsaved objects: the demo saves them
one by one, the volume generator in bulk.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from accounts.models import User
from participants.measures import apply_scores
from participants.models import Assessment, Participant, SimdPostcode
from participants.simd import simd_import
from practices.models import Practice, StaffSurveyResponse
from referrals.lifecycle import milestones_for
from referrals.models import Referral, ReferralStatus, ReferralStatusChange

DEMO_SIMD_FILE = Path(__file__).resolve().parent / "data" / "simd_demo.csv"


def simd_demo_load() -> None:
    """Load the synthetic SIMD lookup into a database that has none, so that generated
    postcodes get deprivation deciles; a lookup already loaded (perhaps the real one) stays."""
    if not SimdPostcode.objects.exists():
        simd_import(path=DEMO_SIMD_FILE)


def item_scores(
    rng: random.Random,
    items: Sequence[str],
    low: int,
    high: int,
    level: float,
    *,
    spread: float | None = None,
) -> dict[str, int | None]:
    """Questionnaire item scores between `low` and `high`, centred on `level` (0–1) of the
    range; `spread` (a quarter of the range unless given) is how far answers scatter."""
    span = high - low
    sigma = span / 4 if spread is None else spread
    return {
        name: min(high, max(low, round(low + rng.gauss(level * span, sigma)))) for name in items
    }


def assessment_build(
    *,
    participant: Participant,
    timepoint: str,
    on: date,
    recorded_by: User,
    exercise_days: int,
    scores: dict[str, int | None],
) -> Assessment:
    """An assessment scored as the app scores one, so totals and bands are never invented;
    an item left as None leaves its questionnaire unscored."""
    assessment = Assessment(
        participant=participant,
        timepoint=timepoint,
        date=on,
        recorded_by=recorded_by,
        exercise_days=exercise_days,
        **scores,
    )
    apply_scores(assessment)
    return assessment


def staff_survey_answers(
    *, practice: Practice, year: int, respondents: int, rng: random.Random
) -> list[StaffSurveyResponse]:
    """One year's anonymous answers from a practice's staff: practices longer in the
    programme report more team wellbeing and fewer staff thinking of leaving, as the
    programme's evaluation found."""
    years_in = max(0, year - practice.joined_on.year)
    wellbeing = min(0.85, 0.35 + 0.08 * years_in)
    leaving = max(0.1, 0.45 - 0.05 * years_in)
    return [
        StaffSurveyResponse(
            practice=practice,
            year=year,
            wellbeing_activities=rng.random() < wellbeing,
            give_up_within_5y=rng.random() < leaving,
        )
        for _ in range(respondents)
    ]


def referral_steps(
    referral: Referral,
    steps: Sequence[str],
    rng: random.Random,
    *,
    until: date,
    by_organisation: float,
) -> list[ReferralStatusChange]:
    """The status changes that took `referral` through `steps`, from its date, days or weeks
    apart and never after `until`, with its milestone dates and status date set on the way
    as the lifecycle sets them. The organisation reported the engagement itself in the share
    `by_organisation` of cases."""
    return [
        ReferralStatusChange(
            referral=referral,
            status=step,
            on=day,
            by=None if from_organisation else referral.clp,
            by_organisation=from_organisation,
        )
        for step, day, from_organisation in referral_step_dates(
            referral, steps, rng, until=until, by_organisation=by_organisation
        )
    ]


def referral_step_dates(
    referral: Any,
    steps: Sequence[str],
    rng: random.Random,
    *,
    until: date,
    by_organisation: float,
) -> list[tuple[str, date, bool]]:
    """`referral_steps` as (status, date, reported by the organisation) triples, for a
    generator that writes rows rather than model instances: `referral` is anything with the
    referral's date, status date and milestone attributes, and they are set as there."""
    changes = []
    day = referral.date
    for position, step in enumerate(steps):
        if position:
            day = min(until, day + timedelta(days=rng.randrange(3, 30)))
        from_organisation = step == ReferralStatus.ENGAGED and rng.random() < by_organisation
        changes.append((step, day, from_organisation))
        for name in milestones_for(step):
            if getattr(referral, name) is None:
                setattr(referral, name, day)
        referral.status_on = day
    return changes


def feedback_answer(referral: Any, rng: random.Random, *, at: datetime) -> None:
    """The organisation's answer through a feedback link, given `at`: whether the person came
    and stayed, as the referral's milestones say, and whether the referral suited them."""
    referral.feedback_at = at
    referral.feedback_attended = referral.attended_on is not None
    referral.feedback_engaged = referral.engaged_on is not None
    referral.feedback_appropriate = rng.random() < 0.85
    referral.feedback_relevant = rng.random() < 0.9
