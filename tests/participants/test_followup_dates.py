from datetime import date

import pytest

from participants.dates import add_months
from participants.followups import latest_baseline_in_window


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2024, 1, 15), date(2024, 10, 15)),
        (date(2026, 5, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 5, 31), date(2028, 2, 29)),  # leap year
        (date(2027, 5, 29), date(2028, 2, 29)),
        (date(2026, 5, 29), date(2027, 2, 28)),
        (date(2026, 6, 30), date(2027, 3, 30)),
        (date(2026, 12, 31), date(2027, 9, 30)),
        (date(2023, 4, 1), date(2024, 1, 1)),  # across a year end
    ],
)
def test_nine_calendar_months_later_clamps_to_the_end_of_short_months(start, expected):
    assert add_months(start, 9) == expected


def test_months_can_be_counted_backwards():
    assert add_months(date(2027, 2, 28), -9) == date(2026, 5, 28)


def test_the_window_takes_in_every_baseline_that_falls_due_on_a_month_end(settings):
    settings.LINKS_FOLLOWUP_LOOKAHEAD_DAYS = 0
    # 29, 30 and 31 May 2026 all fall due on 28 February 2027.
    assert latest_baseline_in_window(date(2027, 2, 28)) == date(2026, 5, 31)
    assert latest_baseline_in_window(date(2027, 2, 27)) == date(2026, 5, 27)


def test_the_window_reaches_the_look_ahead(settings):
    settings.LINKS_FOLLOWUP_LOOKAHEAD_DAYS = 28
    assert latest_baseline_in_window(date(2027, 1, 1)) == date(2026, 4, 29)
