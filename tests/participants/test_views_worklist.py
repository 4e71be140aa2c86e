from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AuditEvent
from participants import selectors
from participants.dates import add_months
from participants.followups import followups_run
from participants.models import Assessment, FollowUp, FollowUpStatus
from participants.services import participant_close
from tests.factories import ParticipantFactory

URL = reverse("followups:worklist")


def _with_follow_up(participant, due_in_days: int) -> FollowUp:
    """A participant whose follow-up falls due `due_in_days` from today (negative: past)."""
    today = timezone.localdate()
    baseline_on = add_months(today + timedelta(days=due_in_days), -9)
    Assessment.objects.create(
        participant=participant, timepoint="baseline", date=baseline_on, recorded_by=participant.clp
    )
    followups_run(today=today)
    return FollowUp.objects.get(participant=participant)


def test_the_worklist_groups_overdue_due_and_coming_follow_ups(
    as_user, clp_a, practice_a, participant_a
):
    overdue = _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -50)
    due = _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -2)
    soon = _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), 20)
    body = as_user(clp_a).get(URL).content.decode()
    sections = body.split('id="due-now-heading"')
    assert overdue.participant.ref in sections[0]
    assert due.participant.ref in sections[1].split('id="due-soon-heading"')[0]
    assert soon.participant.ref in body.split('id="due-soon-heading"')[1]


def test_each_row_links_to_the_participant_the_follow_up_and_the_outcome_and_shows_its_dates(
    as_user, clp_a, practice_a
):
    follow_up = _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -2)
    ref = follow_up.participant.ref
    body = as_user(clp_a).get(URL).content.decode()
    assert f'href="{reverse("participants:detail", args=[ref])}"' in body
    assert f'href="{reverse("participants:new_assessment", args=[ref])}"' in body
    assert f'href="{reverse("followups:close", args=[follow_up.pk])}"' in body
    assert f">{date_format(follow_up.baseline.date, 'j M Y')}</td>" in body
    assert f">{date_format(follow_up.due_on, 'j M Y')}</td>" in body


def test_another_clps_follow_ups_are_not_on_my_worklist(as_user, clp_a, clp_b, participant_b):
    _with_follow_up(participant_b, -2)
    assert participant_b.ref not in as_user(clp_a).get(URL).content.decode()
    assert participant_b.ref in as_user(clp_b).get(URL).content.decode()


def test_a_programme_lead_has_no_worklist(as_user, lead):
    assert as_user(lead).get(URL).status_code == 403


def test_a_manager_sees_who_is_overdue_with_their_clp_and_no_reasons(
    as_user, manager_a, clp_a, participant_a, participant_b
):
    follow_up = _with_follow_up(participant_a, -50)
    FollowUp.objects.filter(pk=follow_up.pk).update(reason="Private reason text")
    _with_follow_up(participant_b, -50)
    response = as_user(manager_a).get(URL, {"state": "overdue"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{participant_a.first_name} {participant_a.last_name}" in body
    assert clp_a.display_name in body
    assert "Overdue" in body
    assert "Private reason text" not in body
    assert participant_b.ref not in body
    assert reverse("followups:close", args=[follow_up.pk]) not in body


def test_the_managers_due_filter_leaves_out_the_overdue(as_user, manager_a, participant_a):
    _with_follow_up(participant_a, -50)
    body = as_user(manager_a).get(URL, {"state": "due"}).content.decode()
    assert participant_a.ref not in body


def test_a_manager_cannot_close_a_follow_up(as_user, manager_a, participant_a):
    follow_up = _with_follow_up(participant_a, -2)
    response = as_user(manager_a).post(
        reverse("followups:close", args=[follow_up.pk]),
        {"status": "missed", "reason": "x", "on": timezone.localdate()},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("rows", [1, 8])
def test_the_managers_worklist_makes_the_same_queries_however_many_rows(
    as_user, manager_a, clp_a, practice_a, rows, django_assert_num_queries
):
    """The CLP's name comes with each row, not one query a row; the groups' counts are one
    query however many pages there are."""
    for _ in range(rows):
        _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -2)
    c = as_user(manager_a)
    # ... and one audit insert naming everyone on the list
    with django_assert_num_queries(9):
        c.get(URL)


@pytest.mark.parametrize("reason", ["goals_met", "disengaged", "referred_on"])
def test_a_case_closed_for_other_reasons_keeps_its_follow_up_on_the_worklist(
    as_user, clp_a, participant_a, reason
):
    follow_up = _with_follow_up(participant_a, -2)
    participant_close(user=clp_a, participant=participant_a, on=timezone.localdate(), reason=reason)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE
    assert participant_a.ref in as_user(clp_a).get(URL).content.decode()
    detail = as_user(clp_a).get(reverse("participants:detail", args=[participant_a.ref]))
    assert reverse("participants:new_assessment", args=[participant_a.ref]) in (
        detail.content.decode()
    )


@pytest.mark.parametrize("reason", ["moved", "died", "withdrew"])
def test_a_case_closed_because_they_moved_died_or_withdrew_leaves_the_worklist(
    as_user, clp_a, participant_a, reason
):
    follow_up = _with_follow_up(participant_a, -2)
    participant_close(user=clp_a, participant=participant_a, on=timezone.localdate(), reason=reason)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.NOT_APPLICABLE
    assert participant_a.ref not in as_user(clp_a).get(URL).content.decode()


def test_an_empty_worklist_says_so(as_user, clp_a):
    assert "Nothing to follow up just now" in as_user(clp_a).get(URL).content.decode()


@pytest.mark.parametrize("rows", [1, 8])
def test_the_worklist_makes_the_same_queries_however_many_rows(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    for _ in range(rows):
        _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -2)
    c = as_user(clp_a)
    # 4 for the session and roles + the groups' counts + the page's ids in order + its
    # follow-ups by id with participant, practice and baseline (a prepared query) + their
    # participants' active risk flags + the audit insert + 2 savepoints for the session save
    with django_assert_num_queries(11):
        c.get(URL)


def test_a_clp_marks_a_follow_up_declined_with_a_reason(as_user, clp_a, participant_a):
    follow_up = _with_follow_up(participant_a, -2)
    response = as_user(clp_a).post(
        reverse("followups:close", args=[follow_up.pk]),
        {"status": "declined", "reason": "Did not want to", "on": timezone.localdate()},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.reason, follow_up.closed_by) == (
        FollowUpStatus.DECLINED,
        "Did not want to",
        clp_a,
    )
    assert AuditEvent.objects.filter(object_type="followup", detail="declined").exists()


def test_a_reason_is_required(as_user, clp_a, participant_a):
    follow_up = _with_follow_up(participant_a, -2)
    response = as_user(clp_a).post(
        reverse("followups:close", args=[follow_up.pk]),
        {"status": "missed", "reason": "", "on": timezone.localdate()},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE


def test_another_practices_clp_cannot_close_it(as_user, clp_b, participant_a):
    follow_up = _with_follow_up(participant_a, -2)
    response = as_user(clp_b).post(
        reverse("followups:close", args=[follow_up.pk]),
        {"status": "missed", "reason": "x", "on": timezone.localdate()},
    )
    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE


def test_recording_the_follow_up_assessment_completes_it_and_shows_the_change(
    as_user, clp_a, participant_a
):
    follow_up = _with_follow_up(participant_a, -2)
    items = {f"hads_{i}": 1 for i in range(1, 15)}
    response = as_user(clp_a).post(
        reverse("participants:new_assessment", args=[participant_a.ref]),
        {"timepoint": "follow_up", "date": timezone.localdate(), "exercise_days": 3, **items},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.COMPLETED
    assert participant_a.ref not in as_user(clp_a).get(URL).content.decode()


def test_a_practice_manager_sees_the_follow_up_completion_rate(
    as_user, manager_a, clp_a, practice_a, participant_a
):
    done = _with_follow_up(participant_a, -2)
    Assessment.objects.create(
        participant=participant_a,
        timepoint="follow_up",
        date=timezone.localdate(),
        recorded_by=clp_a,
    )
    from participants.followups import followup_complete

    followup_complete(assessment=Assessment.objects.get(timepoint="follow_up"))
    _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -60)
    assert done.participant_id
    body = as_user(manager_a).get(reverse("home")).content.decode()
    assert "50.0%" in body
    assert "1 of 2 that came due" in body


def test_a_baseline_recorded_late_is_scheduled_at_once(
    as_user, clp_a, participant_a, django_capture_on_commit_callbacks
):
    items = {f"hads_{i}": 2 for i in range(1, 15)}
    baseline_on = add_months(timezone.localdate(), -9)
    participant_a.referred_on = date(2020, 1, 1)
    participant_a.save(update_fields=["referred_on"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        as_user(clp_a).post(
            reverse("participants:new_assessment", args=[participant_a.ref]),
            {"timepoint": "baseline", "date": baseline_on, **items},
        )
    assert len(callbacks) == 1  # the task is queued only once the assessment is committed
    assert FollowUp.objects.get(participant=participant_a).status == FollowUpStatus.DUE


def test_a_long_worklist_is_read_a_page_at_a_time_with_each_groups_full_count(
    as_user, clp_a, practice_a, monkeypatch
):
    monkeypatch.setattr(selectors, "WORKLIST_PAGE_SIZE", 2)
    overdue = [_with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -50)]
    soon = [
        _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), 20 + n)
        for n in range(2)
    ]
    c = as_user(clp_a)
    first = c.get(URL).content.decode()
    second = c.get(URL, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert overdue[0].participant.ref in first and soon[0].participant.ref in first
    assert soon[1].participant.ref in second and overdue[0].participant.ref not in second
    # The badge counts the whole group, not the rows of this page.
    assert '<span class="badge text-bg-secondary">2</span>' in second


def test_the_managers_worklist_pages_keep_the_state_filter(
    as_user, manager_a, clp_a, practice_a, monkeypatch
):
    monkeypatch.setattr(selectors, "WORKLIST_PAGE_SIZE", 1)
    for _ in range(2):
        _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -50)
    body = as_user(manager_a).get(URL, {"state": "overdue"}).content.decode()
    assert "?state=overdue&amp;page=2" in body


def test_the_counts_are_my_own_follow_ups_not_a_colleagues_at_my_practice(clp_a, practice_a):
    """Two CLPs at one practice: each one's worklist and home page count their own."""
    from tests.factories import clp_at

    colleague = clp_at(practice_a, username="clp_a_colleague")
    _with_follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), -50)
    _with_follow_up(ParticipantFactory(practice=practice_a, clp=colleague), -50)
    _with_follow_up(ParticipantFactory(practice=practice_a, clp=colleague), -2)
    _with_follow_up(ParticipantFactory(practice=practice_a, clp=colleague), 20)

    for counted in (
        selectors.followup_worklist(user=clp_a),
        selectors.followup_worklist_counts(user=clp_a),
    ):
        assert (counted.overdue_count, counted.due_now_count, counted.due_soon_count) == (1, 0, 0)
    theirs = selectors.followup_worklist_counts(user=colleague)
    assert (theirs.overdue_count, theirs.due_now_count, theirs.due_soon_count) == (1, 1, 1)
