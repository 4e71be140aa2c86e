"""UK postcodes: validated and written one way everywhere ("G21 1AA")."""

import re

from django.core.exceptions import ValidationError

# Outward code (area, district) and inward code (sector, unit), per the Royal Mail format:
# A9, A99, AA9, AA99, A9A and AA9A outward codes, each letter position with its own alphabet.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUVWXY]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_POSTCODE = re.compile(rf"^(?:GIR0AA|{_OUTWARD}[0-9][ABD-HJLNP-UW-Z]{{2}})$")


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the last three characters; ValidationError if not a
    valid UK postcode."""
    compact = re.sub(r"\s+", "", str(value)).upper()
    if not _POSTCODE.match(compact):
        raise ValidationError(
            "Enter a valid UK postcode, such as G21 1AA.", code="invalid_postcode"
        )
    return f"{compact[:-3]} {compact[-3:]}"
