"""Whole numbers read from a request's parameters."""

# PostgreSQL's `integer` and the ids of our tables: a filter value beyond it can match nothing,
# and a far larger one overflows SQLite's 64-bit integers with a server error.
LARGEST_ID = 2**31 - 1


def int_param(value: str | None, *, minimum: int = 0, maximum: int = LARGEST_ID) -> int | None:
    """The whole number in a filter or paging parameter, or None when there is none or it is
    out of range, so that every list reads a bad value as "no filter" the same way."""
    if not value or len(value) > len(str(maximum)) + 1:
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if minimum <= number <= maximum else None
