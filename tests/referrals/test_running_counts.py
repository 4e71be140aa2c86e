"""The referral statistics' running counts (`ReferralFigure`), kept by database triggers:
the page's figures from them are the figures of a direct aggregate over the referrals,
through creates, status changes, feedback, moves between services and years, deletes, a
participant's move to another practice, folding, a rebuild, and a bulk load with the
triggers suspended."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models.functions import TruncMonth, TruncQuarter

from participants.models import Participant
from referrals.figures import FIGURE_NAMES, figure_counts
from referrals.models import Referral, ReferralFigure
from referrals.models import ReferralStatus as S
from referrals.running_counts import (
    grid_of_cells,
    referral_figure_cells,
    referral_figure_grid,
    referral_figures_compact,
    referral_figures_current,
    referral_figures_differences,
    referral_figures_rebuild,
)
from referrals.selectors import PERIODS, Figures, _period_starts, referral_statistics
from reports.figures import practice_figures_differences, practice_figures_suspended
from tests.factories import ParticipantFactory
from tests.referrals.factories import ReferralFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=False)

YEARS = (2024, 2025)
AT = datetime(2024, 6, 1, 12, tzinfo=UTC)


def _direct_cells(*, year: int, quarters: bool = False):
    """The page's grid counted straight from the referrals, as the page did before the
    running counts: one aggregate over the year's referrals by service and period."""
    return [
        row
        for row in Referral.objects.filter(date__year=year)
        .annotate(period=(TruncQuarter if quarters else TruncMonth)("date"))
        .values_list("resource", "period")
        .annotate(**figure_counts())
        .order_by()
    ]


def _key(rows):
    """Service, period and the figures (in FIGURE_NAMES' order) of each cell."""
    assert all(len(row) == 2 + len(FIGURE_NAMES) for row in rows)
    return sorted(rows)


def _assert_page_matches_direct_aggregate(lead, monkeypatch):
    for year in YEARS:
        for quarters in (False, True):
            held = referral_figure_cells(year=year, quarters=quarters)
            assert _key(held) == _key(_direct_cells(year=year, quarters=quarters))
        for period in PERIODS:
            starts = _period_starts(year, period)
            direct_grid = grid_of_cells(_direct_cells(year=year, quarters=len(starts) == 4), starts)
            assert referral_figure_grid(year=year, starts=starts) == direct_grid
            page = referral_statistics(user=lead, year=year, period=period)
            with monkeypatch.context() as m:
                # Added up here from the referrals themselves, not by the database.
                m.setattr("referrals.selectors._summed_by_the_database", lambda: False)
                m.setattr(
                    "referrals.selectors.referral_figure_grid",
                    lambda *, year, starts: grid_of_cells(
                        _direct_cells(year=year, quarters=len(starts) == 4), starts
                    ),
                )
                direct = referral_statistics(user=lead, year=year, period=period)
            assert page == direct
            # Each window of the services, read with the figures or on its own.
            services = list(direct.by_resource)
            for start, stop in ((0, 1), (1, 3), (2, 50)):
                windowed = referral_statistics(
                    user=lead, year=year, period=period, window=(start, stop)
                ).by_resource
                assert windowed[start:stop] == services[start:stop]
                assert windowed[0:2] == services[0:2]
                assert len(windowed) == len(services)
    assert referral_figures_differences() == []


def test_the_page_counts_what_a_direct_aggregate_counts_through_a_mixed_workload(
    lead, practice_a, practice_b, clp_a, clp_b, monkeypatch
):
    walk, money, food = (ResourceFactory(name=n) for n in ("Walk", "Money", "Food"))
    p1 = ParticipantFactory(practice=practice_a, clp=clp_a)
    p2 = ParticipantFactory(practice=practice_a, clp=clp_a)
    p3, p4 = (ParticipantFactory(practice=practice_b, clp=clp_b) for _ in range(2))

    suggested = ReferralFactory(participant=p1, resource=walk, status=S.SUGGESTED)
    referred = ReferralFactory(participant=p1, resource=money, date=date(2024, 5, 2))
    engaged = ReferralFactory(
        participant=p2,
        resource=walk,
        date=date(2024, 7, 1),
        status=S.ENGAGED,
        engaged_on=date(2024, 8, 1),
    )
    ReferralFactory(participant=p2, resource=food, date=date(2025, 1, 31))
    moved_year = ReferralFactory(participant=p4, resource=food, date=date(2025, 1, 2))
    gone = ReferralFactory(participant=p3, resource=money, date=date(2024, 3, 9))
    ReferralFactory(
        participant=p3,
        resource=walk,
        date=date(2024, 3, 10),
        status=S.ATTENDED,
        attended_on=date(2024, 3, 20),
    )
    _assert_page_matches_direct_aggregate(lead, monkeypatch)

    # Status changes through save() and update(); feedback from the organisation.
    suggested.status, suggested.referred_on = S.REFERRED, date(2024, 3, 5)
    suggested.save()
    Referral.objects.filter(pk=referred.pk).update(
        status=S.ATTENDED,
        attended_on=date(2024, 6, 1),
        feedback_at=AT,
        feedback_appropriate=True,
        feedback_relevant=False,
    )
    engaged.status = S.CLOSED  # reached engaged, no longer engaged by its latest status
    engaged.save()
    Referral.objects.filter(pk=moved_year.pk).update(date=date(2024, 12, 30), resource=walk)
    gone.delete()
    # A participant moves to another practice: their referrals' practice column moves
    # (referrals migration 0008); the programme's figures must not.
    p1.practice = practice_b
    p1.save()
    assert set(Referral.objects.filter(participant=p1).values_list("practice", flat=True)) == {
        practice_b.pk
    }
    # Someone deleted with their referrals; more written in bulk.
    Participant.objects.filter(pk=p2.pk).delete()
    Referral.objects.bulk_create(
        Referral(
            participant=p3,
            resource=resource,
            clp=clp_b,
            date=on,
            status=status,
            status_on=on,
            referred_on=on,
            feedback_at=AT,
            feedback_relevant=True,
        )
        for resource, on, status in [
            (money, date(2024, 11, 5), S.DECLINED),
            (food, date(2025, 2, 5), S.ENGAGED),
        ]
    )
    _assert_page_matches_direct_aggregate(lead, monkeypatch)

    # Folding the rows changes no figure, and the triggers go on counting afterwards.
    assert referral_figures_compact() > 0
    assert ReferralFigure.objects.count() == len(referral_figures_current())
    _assert_page_matches_direct_aggregate(lead, monkeypatch)
    Referral.objects.filter(resource=walk).update(status=S.ENGAGED, engaged_on=date(2024, 9, 1))
    ReferralFactory(participant=p3, resource=money, date=date(2024, 5, 20))
    _assert_page_matches_direct_aggregate(lead, monkeypatch)

    totals = referral_statistics(user=lead, year=2024).totals
    assert (totals.referrals, totals.engaged, totals.feedback, totals.appropriate) == (6, 4, 2, 1)


def test_a_save_that_changes_no_figure_adds_no_row(clp_a, practice_a):
    referral = ReferralFactory(participant=ParticipantFactory(practice=practice_a, clp=clp_a))
    before = ReferralFigure.objects.count()
    referral.note = "Prefers mornings"
    referral.save()
    assert ReferralFigure.objects.count() == before


def test_a_rebuild_repairs_tampered_counts_and_the_check_command_finds_them(clp_a, practice_a):
    ReferralFactory(participant=ParticipantFactory(practice=practice_a, clp=clp_a))
    ReferralFigure.objects.update(engaged=5)
    assert referral_figures_differences()
    assert any("referral figures" in line for line in practice_figures_differences())
    with pytest.raises(CommandError):
        call_command("practice_figures", "--check")
    assert referral_figures_rebuild() == 1
    assert referral_figures_differences() == []
    ReferralFigure.objects.update(engaged=5)
    call_command("practice_figures", "--rebuild")
    call_command("practice_figures", "--check")


def test_a_bulk_load_with_the_counts_suspended_leaves_them_right(
    lead, clp_a, practice_a, monkeypatch
):
    participant = ParticipantFactory(practice=practice_a, clp=clp_a)
    resource = ResourceFactory()
    ReferralFactory(participant=participant, resource=resource)
    with transaction.atomic(), practice_figures_suspended():
        Referral.objects.bulk_create(
            Referral(
                participant=ParticipantFactory(practice=practice_a, clp=clp_a),
                resource=resource,
                clp=clp_a,
                date=date(2024, month, 1),
                status=S.ENGAGED,
                status_on=date(2024, month, 1),
                engaged_on=date(2024, month, 2),
            )
            for month in range(1, 13)
        )
        if connection.vendor == "postgresql":
            # The triggers are off for the load: nothing was counted row by row.
            assert sum(ReferralFigure.objects.values_list("referrals", flat=True)) == 1
    _assert_page_matches_direct_aggregate(lead, monkeypatch)
    assert referral_statistics(user=lead, year=2024).totals.engaged == 12


def test_a_cells_referrals_come_first_of_its_figures():
    """The statistics read a cell's referrals as its first figure, and make a service's
    figures from its sums in FIGURE_NAMES' order (`referral_statistics`)."""
    assert FIGURE_NAMES[0] == "referrals"
    assert tuple(Figures.__dataclass_fields__) == FIGURE_NAMES
