"""The programme data files: their names, their columns and how each value is written.

The importer reads by these specs, the exporter writes by them and the README describes
them, so a column is added or changed here and nowhere else. Reading is a little lenient
(choice words in any case, surrounding spaces ignored); writing is exact, so that an export
imported into an empty database exports again byte for byte.

Messages from the parsers never repeat the value they refused: a misaligned row can put a
CHI number or a name in any column, and messages are shown to programme leads and logged.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone

from participants.models import (
    CaseStatus,
    ConsultationMode,
    DischargeReason,
    ReferredBy,
    Sex,
    Timepoint,
)
from participants.postcodes import normalise_postcode
from participants.rules import is_plausible_date, plausible_date_range
from practices.models import HealthBoard
from referrals.models import ReferralStatus

LIST_SEPARATOR = ";"
ENCODING = "utf-8"


class CellError(ValueError):
    """A cell that cannot be read. The message says what is wrong without the value."""


@dataclass(frozen=True)
class Kind:
    """How one kind of value is read from and written to a cell. `parse` gets the cell's
    text stripped and non-blank; a blank cell reads as `empty`."""

    parse: Callable[[str], Any]
    render: Callable[[Any], str]
    empty: Any = None


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    # A column added after files were first exchanged: a file written before it may leave it
    # out of the header, and then reads as blank.
    may_be_absent: bool = False

    def read(self, text: str) -> Any:
        text = text.strip()
        if not text:
            if self.required:
                raise CellError("is required")
            return self.kind.empty
        return self.kind.parse(text)

    def write(self, value: Any) -> str:
        if value is None or value == "" or value == ():
            return ""
        return self.kind.render(value)


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))


def _render_text(value: Any) -> str:
    return str(value)


def text(max_length: int) -> Kind:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"is longer than {max_length} characters")
        return value

    return Kind(parse=parse, render=_render_text, empty="")


def choice(values: Iterable[str]) -> Kind:
    allowed = tuple(values)
    message = "must be one of: " + ", ".join(allowed)

    def parse(value: str) -> str:
        lowered = value.lower()
        if lowered not in allowed:
            raise CellError(message)
        return lowered

    return Kind(parse=parse, render=_render_text, empty="")


_DIGITS = re.compile(r"[0-9]{1,10}")


def whole(low: int, high: int) -> Kind:
    message = f"must be a whole number from {low} to {high}"

    def parse(value: str) -> int:
        if not _DIGITS.fullmatch(value):
            raise CellError(message)
        number = int(value)
        if not low <= number <= high:
            raise CellError(message)
        return number

    return Kind(parse=parse, render=str)


_today: tuple[float, date] = (0.0, date.min)


def local_today() -> date:
    """Today's date, looked up at most once a second: a file holds dates by the hundred
    thousand, and working out the local date is most of the cost of checking one."""
    global _today
    now = time.monotonic()
    if now - _today[0] >= 1.0:
        _today = (now, timezone.localdate())
    return _today[1]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse_date(value: str) -> date:
    # ISO only: 03/04/2024 is the 3rd of April here and the 4th of March elsewhere.
    if not _ISO_DATE.fullmatch(value):
        raise CellError("must be a real date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise CellError("must be a real date written YYYY-MM-DD") from None
    today = local_today()
    if not is_plausible_date(parsed, today=today):
        earliest, latest = plausible_date_range(today=today)
        raise CellError(f"must be a date from {earliest.isoformat()} to {latest.isoformat()}")
    return parsed


DATE = Kind(parse=_parse_date, render=lambda value: value.isoformat())


def _parse_yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("yes", "no"):
        raise CellError("must be yes or no")
    return lowered == "yes"


YES_NO = Kind(parse=_parse_yes_no, render=lambda value: "yes" if value else "no")


def _parse_names(value: str) -> tuple[str, ...]:
    """A `;`-separated list of names (needs, categories, practice codes). Items are checked
    against the database later; here only the list itself."""
    items = tuple(item.strip() for item in value.split(LIST_SEPARATOR))
    for position, item in enumerate(items, start=1):
        if not item:
            raise CellError(f"item {position} is blank")
        earlier = items.index(item)
        if earlier < position - 1:
            raise CellError(f"item {position} repeats item {earlier + 1}")
    return items


NAMES = Kind(parse=_parse_names, render=lambda value: LIST_SEPARATOR.join(value), empty=())


def _parse_postcode(value: str) -> str:
    try:
        return normalise_postcode(value)
    except ValidationError:
        raise CellError("is not a valid UK postcode") from None


POSTCODE = Kind(parse=_parse_postcode, render=_render_text, empty="")

_email = EmailValidator()


def _parse_email(value: str) -> str:
    try:
        if len(value) > 254:
            raise ValidationError("too long")
        _email(value)
    except ValidationError:
        raise CellError("is not a valid email address") from None
    return value


EMAIL = Kind(parse=_parse_email, render=_render_text, empty="")

_url = URLValidator(schemes=["http", "https"])


def _parse_url(value: str) -> str:
    try:
        if len(value) > 200:
            raise ValidationError("too long")
        _url(value)
    except ValidationError:
        raise CellError(
            "is not a valid web address (one starting https:// or http://, at most 200 characters)"
        ) from None
    return value


URL = Kind(parse=_parse_url, render=_render_text, empty="")

_username = UnicodeUsernameValidator()


@functools.lru_cache(maxsize=4096)
def _is_username(value: str) -> bool:
    """A file names its staff over and over (a CLP on every consultation): each name is
    checked once."""
    try:
        _username(value)
    except ValidationError:
        return False
    return len(value) <= 150


def _parse_username(value: str) -> str:
    if not _is_username(value):
        raise CellError("must be at most 150 letters, digits and the characters @ . + - _")
    return value


USERNAME = Kind(parse=_parse_username, render=_render_text, empty="")

# Up to nine digits keeps every reference inside the reference counter's range.
REF_PATTERN = re.compile(r"P[0-9]{1,9}")


def _parse_ref(value: str) -> str:
    if not REF_PATTERN.fullmatch(value):
        raise CellError("must be P followed by up to 9 digits, such as P1234")
    return value


REF = Kind(parse=_parse_ref, render=_render_text, empty="")

# The CHI number is checked with the date of birth and sex, once the row is read.
CHI = Kind(parse=lambda value: value, render=_render_text, empty="")

ROLE_CLP = "clp"
ROLE_PRACTICE_MANAGER = "practice_manager"
ROLE_PROGRAMME_LEAD = "programme_lead"
ROLES = (ROLE_CLP, ROLE_PRACTICE_MANAGER, ROLE_PROGRAMME_LEAD)

PRACTICES = FileSpec(
    "practices.csv",
    (
        Column("code", text(20)),
        Column("name", text(200)),
        Column("health_board", choice(HealthBoard.values)),
        Column("deep_end", YES_NO),
        Column("list_size", whole(0, 2_000_000_000), required=False),
        Column("joined", DATE),
        Column("left", DATE, required=False),
    ),
)

STAFF = FileSpec(
    "staff.csv",
    (
        Column("username", USERNAME),
        Column("full_name", text(150)),
        Column("email", EMAIL, required=False),
        Column("role", choice(ROLES)),
        Column("practice_codes", NAMES, required=False),
        Column("start_date", DATE, required=False),
    ),
)

RESOURCES = FileSpec(
    "resources.csv",
    (
        Column("name", text(200)),
        Column("organisation", text(200)),
        Column("categories", NAMES),
        Column("area", text(100)),
        Column("postcode", POSTCODE, required=False),
        Column("phone", text(20), required=False),
        Column("email", EMAIL, required=False),
        Column("website", URL, required=False),
    ),
)

PARTICIPANTS = FileSpec(
    "participants.csv",
    (
        Column("ref", REF),
        Column("practice_code", text(20)),
        Column("clp_username", USERNAME),
        Column("chi", CHI),
        Column("first_name", text(100)),
        Column("last_name", text(100)),
        Column("date_of_birth", DATE),
        Column("sex", choice(Sex.values)),
        Column("postcode", POSTCODE, required=False),
        Column("referred_on", DATE),
        Column("referred_by", choice(ReferredBy.values)),
        Column("needs", NAMES, required=False),
        Column("status", choice(CaseStatus.values)),
        Column("closed_on", DATE, required=False),
        Column("discharge_reason", choice(DischargeReason.values), required=False),
    ),
)

CONSULTATIONS = FileSpec(
    "consultations.csv",
    (
        Column("participant_ref", REF),
        Column("date", DATE),
        Column("clp_username", USERNAME),
        Column("mode", choice(ConsultationMode.values)),
        Column("duration_minutes", whole(0, 480)),
        Column("attended", YES_NO),
    ),
)

REFERRALS = FileSpec(
    "referrals.csv",
    (
        Column("participant_ref", REF),
        Column("resource_name", text(200)),
        Column("date", DATE),
        Column("status", choice(ReferralStatus.values)),
        Column("appropriate", YES_NO, required=False),
    ),
)

HADS_COLUMNS = tuple(f"hads_{number}" for number in range(1, 15))
WEMWBS_COLUMNS = tuple(f"wemwbs_{number}" for number in range(1, 15))
EQ5D_COLUMNS = (
    "eq5d_mobility",
    "eq5d_self_care",
    "eq5d_usual_activities",
    "eq5d_pain_discomfort",
    "eq5d_anxiety_depression",
)
# The file's ONS4 column → the Assessment field that holds the answer.
ONS4_COLUMNS = {
    "ons4_life_satisfaction": "ons_life_satisfaction",
    "ons4_worthwhile": "ons_worthwhile",
    "ons4_happy": "ons_happiness",
    "ons4_anxious": "ons_anxiety",
}
# Every item column of assessments.csv → its Assessment field.
ASSESSMENT_ITEM_FIELDS = {
    **{name: name for name in (*HADS_COLUMNS, "exercise_days")},
    **{name: name for name in (*WEMWBS_COLUMNS, *EQ5D_COLUMNS, "eq5d_vas")},
    **ONS4_COLUMNS,
}

ASSESSMENTS = FileSpec(
    "assessments.csv",
    (
        Column("participant_ref", REF),
        Column("date", DATE),
        Column("timepoint", choice(Timepoint.values)),
        *(Column(name, whole(0, 3), required=False) for name in HADS_COLUMNS),
        Column("exercise_days", whole(0, 7), required=False),
        *(Column(name, whole(1, 5), required=False, may_be_absent=True) for name in WEMWBS_COLUMNS),
        *(Column(name, whole(1, 5), required=False, may_be_absent=True) for name in EQ5D_COLUMNS),
        Column("eq5d_vas", whole(0, 100), required=False, may_be_absent=True),
        *(Column(name, whole(0, 10), required=False, may_be_absent=True) for name in ONS4_COLUMNS),
    ),
)

STAFF_SURVEY = FileSpec(
    "staff_survey.csv",
    (
        Column("practice_code", text(20)),
        Column("year", whole(2000, 2100)),
        Column("wellbeing_activities", YES_NO),
        Column("give_up_within_5y", YES_NO),
    ),
)

# In loading order: each file refers only to files before it (or to the database).
FILES: tuple[FileSpec, ...] = (
    PRACTICES,
    STAFF,
    RESOURCES,
    PARTICIPANTS,
    CONSULTATIONS,
    REFERRALS,
    ASSESSMENTS,
    STAFF_SURVEY,
)
FILE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FILES)
SPECS: dict[str, FileSpec] = {spec.name: spec for spec in FILES}
