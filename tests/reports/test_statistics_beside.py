"""The outcomes and the participants' figures read on connections of their own give the figures
one connection gives, and only when those connections can see what this one does."""

from datetime import date

import pytest
from django.db import connection

from reports import statistics
from reports.statistics import programme_statistics
from tests.reports.known_programme import build_known_programme

YEAR = {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second connection on PostgreSQL only"
)


@pytest.mark.django_db(transaction=True)
def test_the_figures_read_beside_are_the_ones_read_in_turn(monkeypatch):
    build_known_programme()  # committed: another connection sees it
    used = []
    beside = statistics._beside
    monkeypatch.setattr(statistics, "_beside", lambda *args: used.append(args[1]) or beside(*args))
    both = programme_statistics(**YEAR)
    assert sorted(used, key=lambda read: read.__name__) == [
        statistics._outcomes_and_adjusted,
        statistics._participants,
    ]

    monkeypatch.setattr(statistics, "_without_jit_and_seen", lambda: (False, "0"))
    alone = programme_statistics(**YEAR)
    assert both == alone
    assert both["outcomes"] and both["adjusted"]


@pytest.mark.django_db
def test_records_not_yet_committed_are_read_on_this_connection_alone(monkeypatch):
    build_known_programme()  # in the test's transaction: invisible to another connection
    monkeypatch.setattr(statistics, "_beside", lambda *args: pytest.fail("read beside"))
    stats = programme_statistics(**YEAR)
    assert stats["participants"]["supported"] == 4
