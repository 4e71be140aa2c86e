"""Community Health Index (CHI) numbers: ten digits, DDMMYY date of birth, two digits, a
sex digit (odd male, even female) and a modulus-11 check digit."""

from __future__ import annotations

import random
import re
from datetime import date

from django.core.exceptions import ValidationError

_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_chi(value: str) -> str:
    return "".join(str(value).split())


def chi_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None where no valid digit exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def chi_date(chi: str) -> tuple[int, int, int] | None:
    """Day, month and two-digit year from a CHI number's first six digits, if a real date."""
    day, month, yy = int(chi[0:2]), int(chi[2:4]), int(chi[4:6])
    # Any century will do to test the day exists; 2000 is a leap year, so 29/02/00 stands.
    for century in (2000, 1900):
        try:
            date(century + yy, month, day)
            return day, month, yy
        except ValueError:
            continue
    return None


def validate_chi(value: str, *, date_of_birth: date | None = None, sex: str | None = None) -> str:
    """Return the normalised CHI number or raise ValidationError saying what is wrong."""
    chi = normalise_chi(value)
    # ASCII digits only: str.isdigit() would also let through superscripts and other scripts.
    if not re.fullmatch(r"[0-9]{10}", chi):
        raise ValidationError(
            "A CHI number is exactly 10 digits (spaces are ignored).", code="chi_format"
        )
    parts = chi_date(chi)
    if parts is None:
        raise ValidationError(
            "The first six digits of a CHI number are the date of birth (DDMMYY), "
            "and %(digits)s is not a real date.",
            code="chi_date",
            params={"digits": chi[:6]},
        )
    if date_of_birth is not None and parts != (
        date_of_birth.day,
        date_of_birth.month,
        date_of_birth.year % 100,
    ):
        raise ValidationError(
            "The CHI number's date (%(digits)s) does not match the date of birth %(dob)s.",
            code="chi_dob_mismatch",
            params={"digits": chi[:6], "dob": date_of_birth.strftime("%d/%m/%Y")},
        )
    sex_digit = int(chi[8])
    if sex == "male" and sex_digit % 2 == 0:
        raise ValidationError(
            "The ninth digit of a CHI number is odd for males; this one is even.",
            code="chi_sex_mismatch",
        )
    if sex == "female" and sex_digit % 2 == 1:
        raise ValidationError(
            "The ninth digit of a CHI number is even for females; this one is odd.",
            code="chi_sex_mismatch",
        )
    if chi_check_digit(chi[:9]) != int(chi[9]):
        raise ValidationError(
            "The last digit of this CHI number is not a valid check digit: "
            "check for a mistyped digit.",
            code="chi_check_digit",
        )
    return chi


def make_chi(*, date_of_birth: date, sex: str, rng: random.Random) -> str:
    """A valid synthetic CHI number for demo and test data."""
    while True:
        middle = f"{rng.randrange(100):02d}"
        sex_digit = rng.choice([1, 3, 5, 7, 9] if sex == "male" else [0, 2, 4, 6, 8])
        first_nine = f"{date_of_birth:%d%m%y}{middle}{sex_digit}"
        check = chi_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
