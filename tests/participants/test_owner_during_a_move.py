"""A follow-up, a referral or a consultation written while its participant's move to
another practice is not yet committed waits for the move, then carries the new practice
(and CLP): the triggers that keep those columns read the participant FOR SHARE
(participants migrations 0016 and 0018, referrals migration 0011). Without the wait the
row kept the old practice, and the old practice's users saw the moved participant on
their worklists."""

import threading
import time
from datetime import date

import psycopg2
import pytest
from django.db import connection, connections

from participants.followups import followups_run
from participants.models import Assessment, Consultation, FollowUp
from participants.selectors import followup_worklist, practice_followups
from referrals.models import Referral
from tests.factories import ConsultationFactory
from tests.referrals.factories import ReferralFactory, ResourceFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
    pytest.mark.django_db(transaction=True),
]

TODAY = date(2026, 10, 12)


def shown(worklist):
    return [f.participant.ref for f in (*worklist.overdue, *worklist.due_now, *worklist.due_soon)]


def during_a_move(participant, practice, clp, write):
    """`write` in a session of its own while another session has moved the participant and
    not committed; the move commits once the write has finished or is waiting for it."""
    mover = psycopg2.connect(**connection.get_connection_params())
    try:
        with mover.cursor() as cursor:
            cursor.execute(
                "UPDATE participants_participant SET practice_id = %s, clp_id = %s WHERE id = %s",
                [practice.pk, clp.pk, participant.pk],
            )
            cursor.execute("SELECT pg_backend_pid()")
            (mover_pid,) = cursor.fetchone()

        def writer():
            try:
                write()
            finally:
                connections.close_all()

        thread = threading.Thread(target=writer)
        thread.start()
        deadline = time.monotonic() + 20
        with mover.cursor() as cursor:
            while thread.is_alive() and time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s", [mover_pid]
                )
                if cursor.fetchone()[0]:
                    break  # the write waits for the move
                time.sleep(0.05)
        mover.commit()
        thread.join(20)
        assert not thread.is_alive()
    finally:
        mover.close()


def test_a_follow_up_made_during_a_transfer_moves_with_it(
    participant_a, practice_b, clp_a, clp_b, manager_a
):
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=date(2026, 1, 10),
        recorded_by=participant_a.clp,
    )
    during_a_move(participant_a, practice_b, clp_b, lambda: followups_run(today=TODAY))
    follow_up = FollowUp.objects.get(participant=participant_a)
    assert (follow_up.practice_id, follow_up.clp_id) == (practice_b.pk, clp_b.pk)
    assert shown(practice_followups(user=manager_a, today=TODAY)) == []
    assert shown(followup_worklist(user=clp_a, today=TODAY)) == []
    assert shown(followup_worklist(user=clp_b, today=TODAY)) == [participant_a.ref]


def test_a_referral_written_during_a_transfer_moves_with_it(participant_a, practice_b, clp_b):
    resource = ResourceFactory()
    during_a_move(
        participant_a,
        practice_b,
        clp_b,
        lambda: ReferralFactory(participant=participant_a, resource=resource, clp=clp_b),
    )
    assert Referral.objects.get(participant=participant_a).practice_id == practice_b.pk


def test_a_consultation_logged_during_a_transfer_moves_with_it(participant_a, practice_b, clp_b):
    during_a_move(
        participant_a,
        practice_b,
        clp_b,
        lambda: ConsultationFactory(participant=participant_a, clp=clp_b, date=date(2026, 3, 1)),
    )
    logged = Consultation.objects.get(participant=participant_a, date=date(2026, 3, 1))
    assert (logged.practice_id, logged.caseload_clp_id) == (practice_b.pk, clp_b.pk)


def test_a_page_never_shows_a_follow_up_whose_copy_of_the_practice_went_stale(
    participant_a, practice_b, clp_a, clp_b, manager_a
):
    """Defence in depth: were a follow-up's practice ever left behind (written with the
    triggers off), the rows a page shows are held to the participant's own practice too."""
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=date(2026, 1, 10),
        recorded_by=participant_a.clp,
    )
    followups_run(today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                "UPDATE participants_participant SET practice_id = %s, clp_id = %s WHERE id = %s",
                [practice_b.pk, clp_b.pk, participant_a.pk],
            )
        finally:
            cursor.execute("SET session_replication_role = origin")
    stale = FollowUp.objects.get(participant=participant_a)
    assert (stale.practice_id, stale.clp_id) == (participant_a.practice_id, clp_a.pk)
    assert shown(practice_followups(user=manager_a, today=TODAY)) == []
    assert shown(followup_worklist(user=clp_a, today=TODAY)) == []
