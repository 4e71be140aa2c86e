"""Calendar arithmetic the programme's rules use."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, or the month's last day when that day
    does not exist (31 May + 9 months is 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


FOLLOW_UP_MONTHS = 9
