"""Read events (action "view") are committed without waiting for the disk on PostgreSQL;
every other event, and any event inside a caller's transaction, commits as the caller's
writes do."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import Action, AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's"
)

ASYNC = "SET LOCAL synchronous_commit TO OFF"


def statements(action, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        event = audit_record(request=None, action=action, detail="page: 1 shown: P1", **kwargs)
    assert AuditEvent.objects.filter(pk=event.pk, action=action).exists()
    return " ".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_view_on_its_own_commits_without_waiting_for_the_disk():
    assert ASYNC in statements(Action.VIEW)


@pytest.mark.django_db(transaction=True)
def test_other_events_wait_for_the_disk():
    for action in (Action.UPDATE, Action.EXPORT, Action.LOGIN):
        assert ASYNC not in statements(action)


@pytest.mark.django_db(transaction=True)
def test_a_view_inside_a_callers_transaction_leaves_its_commit_alone():
    with transaction.atomic():
        assert ASYNC not in statements(Action.VIEW)


@pytest.mark.django_db(transaction=True)
def test_the_setting_makes_views_wait_too(settings):
    settings.AUDIT_VIEWS_WAIT_FOR_DISK = True
    assert ASYNC not in statements(Action.VIEW)


@pytest.mark.django_db(transaction=True)
def test_a_view_written_without_waiting_keeps_every_field(clp_a):
    from django.test import RequestFactory

    request = RequestFactory().get("/participants/", REMOTE_ADDR="10.1.2.3")
    request.user = clp_a
    event = audit_record(
        request=request, action=Action.VIEW, participant_ref="P1001", detail="caseload: 1"
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.username, stored.action, stored.participant_ref) == (
        clp_a.pk,
        "clp_a",
        Action.VIEW,
        "P1001",
    )
    assert (stored.detail, stored.ip_address, stored.at) == ("caseload: 1", "10.1.2.3", event.at)
    assert (stored.object_type, stored.object_id) == ("", "")


@pytest.mark.django_db(transaction=True)
def test_a_view_is_one_round_trip_and_the_setting_ends_with_it():
    with CaptureQueriesContext(connection) as captured:
        audit_record(request=None, action=Action.VIEW, detail="page: 1 shown: P1")
    assert [q["sql"].split(";")[0] for q in captured.captured_queries] == [ASYNC]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
