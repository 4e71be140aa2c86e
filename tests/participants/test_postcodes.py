"""Postcodes are written one way everywhere, so the SIMD lookup and searches find them however
they were typed."""

import pytest
from django.core.exceptions import ValidationError

from participants.postcodes import normalise_postcode


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("g211aa", "G21 1AA"),
        ("G21 1AA", "G21 1AA"),
        ("EH1 1YZ", "EH1 1YZ"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_each_uk_postcode_format_is_accepted_and_written_with_one_space(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["eh11yz", "  EH1 1YZ  ", "EH11YZ", "eh1   1yz", "E H 1 1 Y Z", "EH1\t1YZ", "EH1 1YZ\n"],
)
def test_case_and_spacing_do_not_matter(typed):
    assert normalise_postcode(typed) == "EH1 1YZ"


def test_the_space_goes_before_the_last_three_characters_whatever_the_outward_length():
    assert normalise_postcode("m11ae") == "M1 1AE"
    assert normalise_postcode("dn551pt") == "DN55 1PT"


def test_normalising_a_normalised_postcode_changes_nothing():
    once = normalise_postcode("cr26xh")
    assert normalise_postcode(once) == once


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "G21",
        "1234567",
        "G21 1AAA",
        "QQ1 1AA",
        "V1 1AA",  # no area starts with V
        "XA1 1AA",  # or with X
        "GI1 1AA",  # I is never the second letter
        "GZ1 1AA",  # nor is Z
        "G21 1CA",  # C is never in the inward code
        "G21 1AO",  # nor is O
        "G21 AAA",  # the inward code starts with a digit
        "G211 1AA",  # three digits after one letter is too many
        "ABC1 1AA",  # three letters
        "G21-1AA",
    ],
)
def test_something_that_is_not_a_uk_postcode_is_rejected(typed):
    with pytest.raises(ValidationError) as caught:
        normalise_postcode(typed)
    assert caught.value.code == "invalid_postcode"


@pytest.mark.parametrize("value", ["W1I 0AX", "EC1Z 1BB"])
def test_a_letter_not_used_in_that_position_of_the_outward_code_is_refused(value):
    with pytest.raises(ValidationError):
        normalise_postcode(value)
