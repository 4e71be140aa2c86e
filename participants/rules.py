"""Validation rules for participant records, each written once. Forms, services and the
programme importer all call these; where the database can hold a rule as well, it does
(the constraint is named beside the rule).

A form checks early so the person sees the message beside the field; the service checks
again because it is the last word for every caller (a view, the importer's loader, a
management command, a test); the importer checks whole files before anything is written.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# The date range every app's records share; re-exported here, where the participants' models
# and their migrations name the validator.
from practices.rules import (  # noqa: F401
    EARLIEST_DATE,
    YEARS_AHEAD,
    is_plausible_date,
    plausible_date_range,
    validate_plausible_date,
)

# A did-not-attend took none of the CLP's time. Held by the constraint
# `consultation_did_not_attend_no_duration`.
DID_NOT_ATTEND_MINUTES = 0


def is_in_future(value: date | None, *, today: date | None = None) -> bool:
    return value is not None and value > (today or timezone.localdate())


def require_not_in_future(value: date | None, what: str) -> None:
    """Things are recorded once they have happened: no date after today."""
    if is_in_future(value):
        raise ValidationError(f"{what} cannot be in the future.")


def is_before_referral(value: date | None, referred_on: date | None) -> bool:
    return value is not None and referred_on is not None and value < referred_on


def require_not_before_referral(value: date | None, referred_on: date | None, what: str) -> None:
    """Nothing about a participant happens before they were referred to the programme."""
    if is_before_referral(value, referred_on):
        raise ValidationError(f"{what} is before the referral date.")


def duration_is_consistent(*, attended: bool | None, duration_minutes: int | None) -> bool:
    return attended is not False or not duration_minutes


def duration_for(*, attended: bool | None, duration_minutes: int | None) -> int | None:
    """What a consultation's length is recorded as: a did-not-attend lasted no time, whatever
    was typed before the person chose "did not attend"."""
    return duration_minutes if attended is not False else DID_NOT_ATTEND_MINUTES


DURATION_MISSING = "Give the length of the consultation in minutes."


def consultation_check(
    *, day: date, referred_on: date, attended: bool, duration: int | None
) -> None:
    """Every rule on one consultation, as errors keyed by field."""
    errors: dict[str, list[str]] = {}
    for rule in (
        lambda: require_not_in_future(day, "The consultation date"),
        lambda: require_not_before_referral(day, referred_on, "The consultation"),
    ):
        try:
            rule()
        except ValidationError as error:
            errors.setdefault("date", []).extend(error.messages)
    if attended and duration is None:
        errors["duration_minutes"] = [DURATION_MISSING]
    elif not duration_is_consistent(attended=attended, duration_minutes=duration):
        errors["duration_minutes"] = ["A consultation that was not attended lasts 0 minutes."]
    if errors:
        raise ValidationError(errors)


# The value of `ConsultationMode.HOME`: the models use this module's validators, so it
# cannot import them (tests/participants/test_rules.py holds the two equal).
HOME_VISIT = "home"

COMPANION_MISSING = (
    "This participant is flagged “do not visit alone”: say who went with you on the home visit "
    "and confirm you did not go alone."
)


def home_visit_needs_companion(*, mode: str | None, flagged_not_alone: bool) -> bool:
    """A home visit to someone flagged "do not visit alone" records who went with the CLP."""
    return flagged_not_alone and mode == HOME_VISIT


def require_companion(*, mode: str | None, flagged_not_alone: bool, visited_with: str) -> None:
    if (
        home_visit_needs_companion(mode=mode, flagged_not_alone=flagged_not_alone)
        and not (visited_with or "").strip()
    ):
        raise ValidationError({"visited_with": COMPANION_MISSING})


CONSENT_TO_SHARE_MESSAGE = (
    "Record the person's consent to share their information (on their details) before "
    "referring them to a community organisation."
)


def require_consent_to_share(*, consent_given: bool) -> None:
    """A referral tells an organisation who the person is: it needs their recorded consent.
    A suggestion shares nothing, so a person without it may still be told about a service."""
    if not consent_given:
        raise ValidationError(CONSENT_TO_SHARE_MESSAGE)
