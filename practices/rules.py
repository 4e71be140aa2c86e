"""Validation rules that records of every app share. It sits in the bottom app that holds
records so that practices and staff attachments use it as participants and referrals do."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# Every date a person types or a file carries falls in this range, so that a slip such as
# 0001-01-01 or 9999-12-31 never reaches a record, a count or a worklist: nobody in the
# programme was born before 1900, and nothing is booked more than five years ahead.
EARLIEST_DATE = date(1900, 1, 1)
YEARS_AHEAD = 5


def plausible_date_range(*, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return EARLIEST_DATE, today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def is_plausible_date(value: date | None, *, today: date | None = None) -> bool:
    earliest, latest = plausible_date_range(today=today)
    return value is None or earliest <= value <= latest


def validate_plausible_date(value: date | None) -> None:
    """The validator of every date field of the programme's records (practices, staff
    attachments, participants, referrals), so that forms (through the model) and services
    (through `full_clean`) refuse the same dates."""
    if not is_plausible_date(value):
        earliest, latest = plausible_date_range()
        raise ValidationError(
            f"Enter a date from {earliest:%-d %B %Y} to {latest:%-d %B %Y}.",
            code="implausible_date",
        )
