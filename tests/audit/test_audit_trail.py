import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import Action, AppendOnlyError, AuditEvent


def test_opening_a_participant_writes_who_what_when_and_from_where(as_user, clp_a, participant_a):
    as_user(clp_a).get(
        reverse("participants:detail", args=[participant_a.ref]), REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get(action=Action.VIEW)
    assert event.user == clp_a
    assert event.username == "clp_a"
    assert event.participant_ref == participant_a.ref
    assert event.object_type == "participant"
    assert event.ip_address == "10.1.2.3"
    assert event.at is not None


def test_a_refused_request_writes_no_read_event(as_user, clp_b, participant_a):
    as_user(clp_b).get(reverse("participants:detail", args=[participant_a.ref]))
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


def test_signing_in_and_failing_to_are_recorded(client, clp_a):
    client.post(reverse("accounts:login"), {"username": "clp_a", "password": "wrong-password"})
    from tests.factories import TEST_PASSWORD

    client.post(reverse("accounts:login"), {"username": "clp_a", "password": TEST_PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "detail"))
    assert actions == [(Action.LOGIN_FAILED, "clp_a"), (Action.LOGIN, "")]


def test_an_event_cannot_be_changed_through_the_model(clp_a):
    event = AuditEvent.objects.create(user=clp_a, username="clp_a", action=Action.VIEW)
    event.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_to_change_an_event_even_in_raw_sql(clp_a):
    event = AuditEvent.objects.create(user=clp_a, username="clp_a", action=Action.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level delete trigger is PostgreSQL's"
)
def test_postgresql_refuses_to_delete_an_event_in_raw_sql(clp_a):
    event = AuditEvent.objects.create(user=clp_a, username="clp_a", action=Action.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


class TestAuditAdmin:
    url = reverse("admin:audit_auditevent_changelist")

    def test_administrators_can_read_the_trail(self, as_user, admin_user, clp_a):
        AuditEvent.objects.create(user=clp_a, username="clp_a", action=Action.VIEW)
        response = as_user(admin_user).get(self.url)
        assert response.status_code == 200
        assert "clp_a" in response.content.decode()

    def test_nobody_can_change_an_event_in_admin(self, as_user, admin_user, clp_a):
        event = AuditEvent.objects.create(user=clp_a, username="clp_a", action=Action.VIEW)
        c = as_user(admin_user)
        assert c.get(reverse("admin:audit_auditevent_add")).status_code == 403
        delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
        assert c.post(delete_url, {"post": "yes"}).status_code == 403
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_staff_who_are_not_administrators_cannot_read_it(self, as_user, lead):
        lead.is_staff = True
        lead.save(update_fields=["is_staff"])
        assert as_user(lead).get(self.url).status_code == 403


def test_an_administrator_opening_a_participant_in_admin_is_audited(
    as_user, admin_user, participant_a
):
    url = reverse("admin:participants_participant_change", args=[participant_a.pk])
    assert as_user(admin_user).get(url).status_code == 200
    event = AuditEvent.objects.get(action=Action.VIEW)
    assert (event.user, event.participant_ref, event.detail) == (
        admin_user,
        participant_a.ref,
        "admin",
    )
