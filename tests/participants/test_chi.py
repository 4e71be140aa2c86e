"""CHI numbers. The valid numbers here are worked out by hand, not by the code under test, so a
wrong weight or a wrong remainder rule in `chi.py` cannot agree with itself.

Hand-worked numbers (weights 10, 9, 8, 7, 6, 5, 4, 3, 2 over the first nine digits;
check = 11 - (sum mod 11), 11 becomes 0, 10 means no valid number):

    0101701233, male, born 01/01/1970, first nine 0 1 0 1 7 0 1 2 3:
        0*10 + 1*9 + 0*8 + 1*7 + 7*6 + 0*5 + 1*4 + 2*3 + 3*2
        = 0 + 9 + 0 + 7 + 42 + 0 + 4 + 6 + 6 = 74;  74 mod 11 = 8;  11 - 8 = 3
    1506854427, female, born 15/06/1985: 10 + 45 + 0 + 42 + 48 + 25 + 16 + 12 + 4 = 202;
        202 mod 11 = 4;  11 - 4 = 7
    2902000030, male, born 29/02/2000: 20 + 81 + 0 + 14 + 0 + 0 + 0 + 0 + 6 = 121;
        121 mod 11 = 0;  11 - 0 = 11, written 0
    290200110x has no valid check digit: 20 + 81 + 0 + 14 + 0 + 0 + 4 + 3 + 0 = 122;
        122 mod 11 = 1;  11 - 1 = 10
"""

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from participants.chi import chi_check_digit, make_chi, normalise_chi, validate_chi

MALE_1970 = "0101701233"
FEMALE_1985 = "1506854427"
MALE_LEAP_2000 = "2902000030"


def _code(value: str, **kwargs) -> str | None:
    """The ValidationError code validate_chi raises, so each test names the failure kind."""
    with pytest.raises(ValidationError) as caught:
        validate_chi(value, **kwargs)
    return caught.value.code


def _code_or_none(value: str, **kwargs) -> str | None:
    try:
        validate_chi(value, **kwargs)
    except ValidationError as error:
        return error.code
    return None


# Check digit


@pytest.mark.parametrize(
    ("first_nine", "check"),
    [("010170123", 3), ("150685442", 7), ("290200003", 0)],
)
def test_the_check_digit_matches_the_hand_worked_modulus_eleven(first_nine, check):
    assert chi_check_digit(first_nine) == check


def test_a_remainder_giving_ten_has_no_check_digit():
    assert chi_check_digit("290200110") is None


def test_no_last_digit_makes_a_number_valid_when_the_check_would_be_ten():
    for last in "0123456789":
        assert _code(f"290200110{last}") == "chi_check_digit"


# Valid numbers


@pytest.mark.parametrize(
    ("chi", "dob", "sex"),
    [
        (MALE_1970, date(1970, 1, 1), "male"),
        (FEMALE_1985, date(1985, 6, 15), "female"),
        (MALE_LEAP_2000, date(2000, 2, 29), "male"),
    ],
)
def test_hand_worked_numbers_are_valid_with_their_date_of_birth_and_sex(chi, dob, sex):
    assert validate_chi(chi, date_of_birth=dob, sex=sex) == chi


def test_a_valid_number_needs_no_date_of_birth_or_sex():
    assert validate_chi(FEMALE_1985) == FEMALE_1985


@pytest.mark.parametrize("sex", [None, "", "other", "not_known"])
def test_the_sex_digit_is_only_checked_for_male_or_female(sex):
    assert validate_chi(MALE_1970, sex=sex) == MALE_1970
    assert validate_chi(FEMALE_1985, sex=sex) == FEMALE_1985


def test_the_date_of_birth_is_matched_on_its_two_digit_year_as_the_chi_has_no_century():
    assert validate_chi(MALE_LEAP_2000, date_of_birth=date(2000, 2, 29)) == MALE_LEAP_2000
    assert validate_chi(MALE_1970, date_of_birth=date(1870, 1, 1)) == MALE_1970


# Spaces


@pytest.mark.parametrize(
    "typed", ["010170 1233", "0101 70 1233", " 0101701233 ", "01 01 70 12 33", "010170\t1233"]
)
def test_spaces_are_ignored_and_the_number_comes_back_without_them(typed):
    assert validate_chi(typed) == MALE_1970


def test_normalise_chi_removes_spaces_only():
    assert normalise_chi(" 0101 70 1233 ") == MALE_1970
    assert normalise_chi("0101-70-1233") == "0101-70-1233"


# Failures, by kind


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "010170123",
        "01017012334",
        "010170123X",
        "0101-701233",
        "0101.701233",
        "-101701233",
    ],
)
def test_anything_but_ten_digits_is_a_format_error(value):
    assert _code(value) == "chi_format"


@pytest.mark.parametrize(
    "first_six",
    ["000170", "320170", "010070", "011370", "310470", "300200", "290201", "290297"],
)
def test_first_six_digits_that_are_not_a_real_date_are_a_date_error(first_six):
    assert _code(f"{first_six}1234") == "chi_date"


@pytest.mark.parametrize("yy", ["00", "04", "96"])
def test_the_twenty_ninth_of_february_is_a_real_date_in_a_leap_year(yy):
    # The check digit may or may not fit; what matters is that the date is not the problem.
    assert _code_or_none(f"2902{yy}1234") in {None, "chi_check_digit"}


def test_290200_is_a_real_date_because_2000_was_a_leap_year():
    assert validate_chi(MALE_LEAP_2000) == MALE_LEAP_2000


@pytest.mark.parametrize(
    "dob",
    [date(1970, 1, 2), date(1970, 2, 1), date(1971, 1, 1), date(1969, 1, 1), date(1907, 1, 1)],
)
def test_a_date_of_birth_that_differs_from_the_first_six_digits_is_a_mismatch(dob):
    assert _code(MALE_1970, date_of_birth=dob) == "chi_dob_mismatch"


def test_an_odd_ninth_digit_is_a_mismatch_for_a_female():
    assert _code(MALE_1970, sex="female") == "chi_sex_mismatch"


def test_an_even_ninth_digit_is_a_mismatch_for_a_male():
    assert _code(FEMALE_1985, sex="male") == "chi_sex_mismatch"


@pytest.mark.parametrize("last", "012456789")
def test_any_other_last_digit_is_a_check_digit_error(last):
    assert _code(f"010170123{last}") == "chi_check_digit"


@pytest.mark.parametrize("chi", [MALE_1970, FEMALE_1985, MALE_LEAP_2000])
def test_every_single_mistyped_digit_is_rejected(chi):
    for position in range(10):
        for digit in "0123456789":
            if digit == chi[position]:
                continue
            typo = chi[:position] + digit + chi[position + 1 :]
            with pytest.raises(ValidationError):
                validate_chi(typo)


@pytest.mark.parametrize("chi", [MALE_1970, FEMALE_1985, MALE_LEAP_2000])
def test_every_swap_of_two_neighbouring_digits_is_rejected(chi):
    for position in range(9):
        if chi[position] == chi[position + 1]:
            continue
        swapped = chi[:position] + chi[position + 1] + chi[position] + chi[position + 2 :]
        with pytest.raises(ValidationError):
            validate_chi(swapped)


@pytest.mark.parametrize(
    "value",
    ["０１０１７０１２３３", "٠١٠١٧٠١٢٣٣"],
    ids=["full-width", "arabic-indic"],
)
def test_digits_from_other_scripts_are_a_format_error(value):
    assert _code(value) == "chi_format"


def test_a_superscript_digit_is_a_format_error_not_a_crash():
    assert _code("010170123²") == "chi_format"


# Synthetic numbers


def _random_dates(rng: random.Random, count: int) -> list[date]:
    start, end = date(1900, 1, 1), date(2025, 12, 31)
    return [start + timedelta(days=rng.randrange((end - start).days + 1)) for _ in range(count)]


@pytest.mark.parametrize("sex", ["male", "female"])
def test_make_chi_always_gives_a_number_validate_chi_accepts(sex):
    rng = random.Random(20250101)
    dates = [*_random_dates(rng, 1000), date(2000, 2, 29), date(1904, 2, 29), date(1999, 12, 31)]
    for dob in dates:
        chi = make_chi(date_of_birth=dob, sex=sex, rng=rng)
        assert validate_chi(chi, date_of_birth=dob, sex=sex) == chi, (dob, chi)


def test_make_chi_writes_the_date_of_birth_as_ddmmyy():
    chi = make_chi(date_of_birth=date(1985, 6, 15), sex="female", rng=random.Random(1))
    assert chi.startswith("150685")


def test_make_chi_covers_the_whole_sex_digit_range_for_each_sex():
    rng = random.Random(7)
    male = {make_chi(date_of_birth=date(1970, 1, 1), sex="male", rng=rng)[8] for _ in range(200)}
    female = {
        make_chi(date_of_birth=date(1970, 1, 1), sex="female", rng=rng)[8] for _ in range(200)
    }
    assert male == set("13579")
    assert female == set("02468")


def test_make_chi_gives_the_same_number_for_the_same_seed():
    first = make_chi(date_of_birth=date(1970, 1, 1), sex="male", rng=random.Random(42))
    again = make_chi(date_of_birth=date(1970, 1, 1), sex="male", rng=random.Random(42))
    assert first == again
