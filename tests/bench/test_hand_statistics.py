"""The benchmark's yardstick for the annual statistics (bench/hand_statistics.py) computes the
same figures as `programme_statistics`: without this, the ratio `bench/statistics_ratio.py`
prints would compare different work."""

from datetime import date

import pytest
from django.db import connection

from bench.hand_statistics import hand_statistics
from devdata.volume import volume_generate
from reports.statistics import programme_statistics

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the hand-written SQL is PostgreSQL's"
)


def test_the_hand_written_sql_gives_every_figure_programme_statistics_gives(db):
    volume_generate(practices=5, participants=900, seed=5, today=date(2026, 11, 23))
    for year in (2024, 2025):
        start, end = date(year, 1, 1), date(year, 12, 31)
        ours = programme_statistics(start=start, end=end)
        # The programme fills what the comparison needs: a fitted model, every group.
        assert any(fit["reason"] is None for fit in ours["adjusted"].values())
        assert ours["outcomes"]["hads_anxiety"]["not_engaged"]["n"] > 0
        assert ours["outcomes"]["dose_bands"]["hads_anxiety"]["4+"]["n"] > 0
        assert ours["referrals"]["by_category"]
        assert ours["staff_survey"]["by_practice"]
        hand = hand_statistics(start, end)
        for section in ours:
            assert hand[section] == ours[section], (year, section)
        assert hand == ours
