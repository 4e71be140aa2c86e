"""Raising a concern, telling the leads, recording actions and closing it."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from reports.rendering import _safeguarding_rows, report_context
from reports.statistics import programme_statistics, safeguarding_concern_counts
from reports.suppression import Suppressor
from safeguarding.jobs import concern_notify_leads
from safeguarding.models import Concern, ConcernStatus
from safeguarding.services import concern_action_add, concern_close, concern_raise
from tests.factories import ConcernFactory, SafeguardingLeadFactory, UserFactory


def _form(**overrides):
    data = {
        "about": "adult",
        "category": "domestic",
        "what_happened": "Bruising on both arms; said her partner 'gets angry'",
        "action_taken": "gp",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def test_a_clp_raises_a_concern_and_the_leads_are_emailed_a_bare_link(
    as_user, clp_a, participant_a, sg_lead_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(clp_a).post(
            reverse("safeguarding:new", args=[participant_a.ref]), _form()
        )
    concern = Concern.objects.get()
    assert response["Location"] == reverse("safeguarding:detail", args=[concern.public_id])
    assert concern.raised_by == clp_a
    assert concern.practice == participant_a.practice
    assert [m.to for m in mail.outbox] == [[sg_lead_a.email]]
    message = mail.outbox[0]
    text = message.subject + message.body
    assert str(concern.public_id) in message.body
    for secret in [
        participant_a.ref,
        participant_a.first_name,
        participant_a.last_name,
        participant_a.chi,
        "Bruising",
        "domestic",
    ]:
        assert secret.lower() not in text.lower()


def test_every_lead_of_the_practice_is_told_and_no_one_else(
    clp_a, participant_a, sg_lead_a, sg_lead_b, practice_a, django_capture_on_commit_callbacks
):
    second = UserFactory(username="second_lead")
    SafeguardingLeadFactory(practice=practice_a, user=second)
    SafeguardingLeadFactory(practice=practice_a, user=UserFactory(is_active=False))
    with django_capture_on_commit_callbacks(execute=True):
        concern_raise(user=clp_a, participant=participant_a, **_service_args())
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sg_lead_a.email, second.email])


def _service_args():
    return {
        "about": "adult",
        "category": "financial",
        "what_happened": "Money taken",
        "action_taken": "none",
        "occurred_at": timezone.now() - timedelta(hours=1),
    }


def test_telling_the_leads_twice_sends_once(concern_a, sg_lead_a):
    assert concern_notify_leads(concern_id=concern_a.pk) == 1
    assert concern_notify_leads(concern_id=concern_a.pk) == 0
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_the_concern_is_not_saved(
    clp_a, participant_a, sg_lead_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        concern_raise(
            user=clp_a,
            participant=participant_a,
            **{**_service_args(), "occurred_at": timezone.now() + timedelta(days=1)},
        )
    assert Concern.objects.count() == 0
    assert mail.outbox == []


def test_the_lead_records_an_action_and_closes_the_concern(as_user, concern_a, sg_lead_a):
    c = as_user(sg_lead_a)
    url = reverse("safeguarding:add_action", args=[concern_a.public_id])
    assert c.post(url, {"note": "Referred to adult social work"}).status_code == 302
    url = reverse("safeguarding:close", args=[concern_a.public_id])
    assert c.post(url, {"outcome": "Social work have taken it on"}).status_code == 302
    concern_a.refresh_from_db()
    assert concern_a.status == ConcernStatus.CLOSED
    assert concern_a.closed_by == sg_lead_a
    assert [a.note for a in concern_a.actions.all()] == ["Referred to adult social work"]
    page = c.get(reverse("safeguarding:detail", args=[concern_a.public_id])).content.decode()
    assert "Social work have taken it on" in page
    details = list(
        AuditEvent.objects.filter(object_type="concern").values_list("detail", flat=True)
    )
    assert not any("social work" in d.lower() for d in details)


def test_a_closed_concern_takes_no_more_actions_and_cannot_close_twice(concern_a, sg_lead_a):
    concern_close(user=sg_lead_a, concern=concern_a, outcome="Done")
    with pytest.raises(ValidationError):
        concern_action_add(user=sg_lead_a, concern=concern_a, note="Late")
    with pytest.raises(ValidationError):
        concern_close(user=sg_lead_a, concern=Concern.objects.get(pk=concern_a.pk), outcome="x")


def test_an_empty_action_is_refused_with_a_message(as_user, concern_a, sg_lead_a):
    url = reverse("safeguarding:add_action", args=[concern_a.public_id])
    response = as_user(sg_lead_a).post(url, {"note": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert concern_a.actions.count() == 0


def test_the_list_filters_by_status(as_user, concern_a, sg_lead_a, participant_a):
    closed = ConcernFactory(participant=participant_a)
    concern_close(user=sg_lead_a, concern=closed, outcome="Done")
    c = as_user(sg_lead_a)
    page = c.get(reverse("safeguarding:list")).content.decode()
    assert str(concern_a.public_id) in page and str(closed.public_id) not in page
    page = c.get(reverse("safeguarding:list"), {"status": "all"}).content.decode()
    assert str(closed.public_id) in page


@pytest.mark.parametrize("rows", [1, 6])
def test_the_list_makes_the_same_queries_however_many_concerns(
    as_user, sg_lead_a, participant_a, rows, django_assert_num_queries
):
    ConcernFactory.create_batch(rows, participant=participant_a)
    c = as_user(sg_lead_a)
    # 4 for the session and roles + the user's lead practices, the concerns with participant,
    # practice and who raised them, the audit insert + 2 savepoints for the session save
    with django_assert_num_queries(9):
        assert c.get(reverse("safeguarding:list")).status_code == 200


def test_the_programme_lead_sees_only_suppressed_counts_by_category_and_practice(
    participant_a, participant_b
):
    ConcernFactory.create_batch(6, participant=participant_a, category="financial")
    ConcernFactory(participant=participant_b, category="neglect")
    year = timezone.localdate().year
    counts = safeguarding_concern_counts(start=date(year, 1, 1), end=date(year, 12, 31))
    assert counts["total"] == 7
    assert counts["by_category"]["Financial or material abuse"] == 6
    shown = _safeguarding_rows({"safeguarding": counts}, Suppressor(5))
    assert shown["by_category"]["Neglect or self-neglect"] == "<5"
    # One hidden cell beside its total would be revealed by subtraction: so another is
    # hidden, marked as protecting it rather than as a small count.
    assert shown["by_category"]["Financial or material abuse"] == "*"
    assert shown["by_practice"]["Riverside Medical Group"] == "<5"


def test_the_annual_report_shows_the_concern_counts_and_nothing_else(participant_a):
    ConcernFactory.create_batch(6, participant=participant_a, category="financial")
    year = timezone.localdate().year
    counts = safeguarding_concern_counts(start=date(year, 1, 1), end=date(year, 12, 31))
    stats = programme_statistics(start=date(year, 1, 1), end=date(year, 12, 31))
    assert stats["safeguarding"] == counts
    context = report_context(stats)
    assert context["safeguarding"]["by_category"]["Financial or material abuse"] == "6"
    assert "pension" not in str(stats)


def test_the_practice_dashboard_shows_suppressed_counts_to_the_manager(
    as_user, manager_a, participant_a
):
    ConcernFactory.create_batch(2, participant=participant_a, category="neglect")
    page = as_user(manager_a).get(reverse("reports:practice_dashboard")).content.decode()
    assert "Safeguarding concerns since" in page
    assert 'Neglect or self-neglect</td><td class="text-end">&lt;5' in page
    assert "Secret concern text" not in page


def test_the_clp_is_warned_when_the_practice_has_no_lead_to_tell(
    as_user, clp_a, participant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(clp_a).post(
            reverse("safeguarding:new", args=[participant_a.ref]), _form(), follow=True
        )
    assert "no safeguarding lead to tell" in response.content.decode()
    assert mail.outbox == []
    assert Concern.objects.count() == 1


def test_a_dashboards_counts_are_its_scopes_since_the_day(
    manager_a, lead, participant_a, participant_b
):
    """The dashboards' counts (read by a prepared query): a manager's practices only, a
    lead's programme, each from the day given, as the counts over the scope's queryset."""
    from safeguarding.access import concerns_in_aggregate_scope
    from safeguarding.selectors import concern_counts_by_category, concern_counts_for

    ConcernFactory.create_batch(2, participant=participant_a, category="neglect")
    old = ConcernFactory(participant=participant_a, category="financial")
    Concern.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    ConcernFactory(participant=participant_b, category="neglect")
    since = timezone.localdate() - timedelta(days=30)

    mine = concern_counts_for(user=manager_a, since=since)
    assert mine["Neglect or self-neglect"] == 2
    assert mine["Financial or material abuse"] == 0
    assert concern_counts_for(user=lead, since=since)["Neglect or self-neglect"] == 3
    for user in (manager_a, lead):
        assert concern_counts_for(user=user, since=since) == concern_counts_by_category(
            concerns=concerns_in_aggregate_scope(user), start=since
        )
    assert concern_counts_for(user=manager_a)["Financial or material abuse"] == 1
