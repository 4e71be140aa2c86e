"""UK postcodes: validated and written one way everywhere ("G21 1AA")."""

import re

from django.core.exceptions import ValidationError

# Outward code (area, district) and inward code (sector, unit), per the Royal Mail format.
_POSTCODE = re.compile(r"^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the last three characters; ValidationError if not a
    valid UK postcode."""
    compact = re.sub(r"\s+", "", str(value)).upper()
    if not _POSTCODE.match(compact):
        raise ValidationError(
            "Enter a valid UK postcode, such as G21 1AA.", code="invalid_postcode"
        )
    return f"{compact[:-3]} {compact[-3:]}"
