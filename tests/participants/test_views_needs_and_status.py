"""Needs, closing and reopening a case, the caseload's filters, and the query counts of the
participant page and the caseload."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import (
    HADS_ITEMS,
    Assessment,
    CaseStatus,
    Need,
    Participant,
    ParticipantNeed,
    StatusChange,
)
from tests.factories import ConsultationFactory, ParticipantFactory


def _need(name):
    return Need.objects.get(name=name)


def _give_need(participant, name, *, on=date(2024, 1, 15), resolved_on=None):
    return ParticipantNeed.objects.create(
        participant=participant,
        need=_need(name),
        identified_on=on,
        resolved_on=resolved_on,
        recorded_by=participant.clp,
    )


def _detail(participant):
    return reverse("participants:detail", args=[participant.ref])


def _needs_url(participant):
    return reverse("participants:needs", args=[participant.ref])


def _close_url(participant):
    return reverse("participants:close", args=[participant.ref])


def _reopen_url(participant):
    return reverse("participants:reopen", args=[participant.ref])


def _close(participant, on=date(2024, 6, 1), reason="goals_met"):
    """Close a case directly in the database, as the close view would leave it."""
    Participant.objects.filter(pk=participant.pk).update(
        status=CaseStatus.CLOSED, closed_on=on, discharge_reason=reason
    )
    StatusChange.objects.create(
        participant=participant,
        status=CaseStatus.CLOSED,
        on=on,
        discharge_reason=reason,
        by=participant.clp,
    )
    participant.refresh_from_db()


# Needs


def test_a_clp_adds_needs_as_of_a_date(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(
        _needs_url(participant_a),
        {"add": [_need("Housing").pk, _need("Stress").pk], "on": "2024-02-10"},
    )

    assert response.status_code == 302
    assert response["Location"] == _detail(participant_a)
    added = participant_a.needs.order_by("need__name")
    assert [(pn.need.name, pn.identified_on, pn.resolved_on) for pn in added] == [
        ("Housing", date(2024, 2, 10), None),
        ("Stress", date(2024, 2, 10), None),
    ]
    assert {pn.recorded_by for pn in added} == {clp_a}
    event = AuditEvent.objects.get(action=Action.UPDATE, participant_ref=participant_a.ref)
    assert event.detail == "needs: 2 added, 0 resolved"


def test_a_clp_resolves_a_need(as_user, clp_a, participant_a):
    housing = _give_need(participant_a, "Housing")
    stress = _give_need(participant_a, "Stress")

    response = as_user(clp_a).post(
        _needs_url(participant_a), {"resolve": [housing.pk], "on": "2024-04-01"}
    )

    assert response.status_code == 302
    housing.refresh_from_db()
    stress.refresh_from_db()
    assert housing.resolved_on == date(2024, 4, 1)
    assert stress.resolved_on is None
    event = AuditEvent.objects.get(action=Action.UPDATE, participant_ref=participant_a.ref)
    assert event.detail == "needs: 0 added, 1 resolved"


def test_the_needs_form_offers_to_add_only_needs_not_already_current(as_user, clp_a, participant_a):
    _give_need(participant_a, "Housing")
    _give_need(participant_a, "Stress", resolved_on=date(2024, 2, 1))

    form = as_user(clp_a).get(_needs_url(participant_a)).context["form"]

    offered = {n.name for n in form.fields["add"].queryset}
    assert "Housing" not in offered
    assert "Stress" in offered  # resolved, so it may come back
    assert [pn.need.name for pn in form.fields["resolve"].queryset] == ["Housing"]


def test_a_resolved_need_can_be_recorded_again(as_user, clp_a, participant_a):
    _give_need(participant_a, "Stress", resolved_on=date(2024, 2, 1))

    response = as_user(clp_a).post(
        _needs_url(participant_a), {"add": [_need("Stress").pk], "on": "2024-05-01"}
    )

    assert response.status_code == 302
    assert participant_a.needs.filter(need__name="Stress").count() == 2
    assert participant_a.needs.get(need__name="Stress", resolved_on=None).identified_on == date(
        2024, 5, 1
    )


def test_resolving_a_need_before_it_was_identified_is_refused_and_nothing_is_saved(
    as_user, clp_a, participant_a
):
    housing = _give_need(participant_a, "Housing", on=date(2024, 3, 1))

    response = as_user(clp_a).post(
        _needs_url(participant_a),
        {"add": [_need("Stress").pk], "resolve": [housing.pk], "on": "2024-02-01"},
    )

    assert response.status_code == 200
    message = "“Housing” cannot be resolved before it was identified."
    assert response.context["form"].non_field_errors() == [message]
    assert message in response.content.decode()
    housing.refresh_from_db()
    assert housing.resolved_on is None
    assert not participant_a.needs.filter(need__name="Stress").exists()
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_another_participants_need_cannot_be_resolved_through_this_form(
    as_user, clp_a, participant_a, participant_b
):
    _give_need(participant_a, "Housing")
    theirs = _give_need(participant_b, "Housing")

    response = as_user(clp_a).post(
        _needs_url(participant_a), {"resolve": [theirs.pk], "on": "2024-04-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["resolve"]
    theirs.refresh_from_db()
    assert theirs.resolved_on is None


def test_a_needs_date_in_the_future_is_refused(as_user, clp_a, participant_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_user(clp_a).post(
        _needs_url(participant_a), {"add": [_need("Stress").pk], "on": tomorrow.isoformat()}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["on"] == ["The date cannot be in the future."]
    assert not participant_a.needs.exists()


def test_the_participant_page_shows_complexity_as_the_number_of_domains(
    as_user, clp_a, participant_a
):
    _give_need(participant_a, "Housing")
    _give_need(participant_a, "Money and debt")
    _give_need(participant_a, "Stress")
    _give_need(participant_a, "Pain", resolved_on=date(2024, 2, 1))  # resolved: not counted

    response = as_user(clp_a).get(_detail(participant_a))

    assert response.context["summary"]["complexity"] == 2
    html = response.content.decode()
    assert "Spanning 2 domains: Mental health, Social" in html
    assert "Need resolved: Pain" in html


def test_one_domain_is_spoken_of_in_the_singular(as_user, clp_a, participant_a):
    _give_need(participant_a, "Housing")
    _give_need(participant_a, "Money and debt")

    html = as_user(clp_a).get(_detail(participant_a)).content.decode()

    assert "Spanning 1 domain: Social" in html


# Closing


def test_closing_needs_a_date_and_a_reason(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(_close_url(participant_a), {"on": "", "reason": ""})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["on"] == ["This field is required."]
    assert errors["reason"] == ["This field is required."]
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.OPEN
    assert not StatusChange.objects.exists()


def test_a_clp_closes_a_case_and_the_timeline_shows_it(as_user, clp_a, participant_a):
    c = as_user(clp_a)
    response = c.post(
        _close_url(participant_a),
        {"on": "2024-06-01", "reason": "referred_on", "note": "To the debt advice service"},
    )

    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.CLOSED
    assert participant_a.closed_on == date(2024, 6, 1)
    assert participant_a.discharge_reason == "referred_on"
    assert participant_a.version == 2
    change = StatusChange.objects.get(participant=participant_a)
    assert (change.status, change.on, change.discharge_reason, change.by) == (
        CaseStatus.CLOSED,
        date(2024, 6, 1),
        "referred_on",
        clp_a,
    )
    assert change.note == "To the debt advice service"
    event = AuditEvent.objects.get(action=Action.UPDATE, participant_ref=participant_a.ref)
    assert event.detail == "closed"

    html = c.get(_detail(participant_a)).content.decode()
    assert "1 Jun 2024 · Case closed: referred on to another service" in html
    assert "To the debt advice service" in html


def test_closing_a_closed_case_is_refused(as_user, clp_a, participant_a):
    _close(participant_a)

    response = as_user(clp_a).post(
        _close_url(participant_a), {"on": "2024-07-01", "reason": "moved"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This case is already closed."]
    participant_a.refresh_from_db()
    assert (participant_a.closed_on, participant_a.discharge_reason) == (
        date(2024, 6, 1),
        "goals_met",
    )
    assert StatusChange.objects.count() == 1


def test_a_case_cannot_close_before_it_was_referred(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(
        _close_url(participant_a), {"on": "2024-01-14", "reason": "moved"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["on"] == ["A case cannot close before it was referred."]
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.OPEN


def test_a_case_cannot_close_in_the_future(as_user, clp_a, participant_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_user(clp_a).post(
        _close_url(participant_a), {"on": tomorrow.isoformat(), "reason": "moved"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["on"] == ["The closing date cannot be in the future."]
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.OPEN


# Reopening


def test_reopening_clears_the_closure_and_is_audited(as_user, clp_a, participant_a):
    _close(participant_a)
    c = as_user(clp_a)

    response = c.post(_reopen_url(participant_a), {"note": "Came back about housing"})

    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.OPEN
    assert participant_a.closed_on is None
    assert participant_a.discharge_reason == ""
    reopened = StatusChange.objects.get(participant=participant_a, status=CaseStatus.OPEN)
    assert (reopened.on, reopened.by, reopened.note) == (
        timezone.localdate(),
        clp_a,
        "Came back about housing",
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, participant_ref=participant_a.ref)
    assert event.detail == "reopened"
    assert event.user == clp_a

    html = c.get(_detail(participant_a)).content.decode()
    assert "Case reopened" in html
    assert "Case closed: goals met" in html


def test_reopening_an_open_case_is_refused(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(_reopen_url(participant_a), {"note": ""})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This case is already open."]
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


# Who may change needs and status


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (_needs_url, {"add": ["__need__"], "on": "2024-02-10"}),
        (_close_url, {"on": "2024-06-01", "reason": "moved"}),
    ],
    ids=["needs", "close"],
)
def test_a_clp_of_practice_b_gets_404_changing_a_practice_a_case(
    as_user, clp_b, participant_a, url, data
):
    data = {k: [_need("Stress").pk] if v == ["__need__"] else v for k, v in data.items()}
    c = as_user(clp_b)

    assert c.get(url(participant_a)).status_code == 404
    assert c.post(url(participant_a), data).status_code == 404
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.OPEN
    assert not participant_a.needs.exists()


def test_a_clp_of_practice_b_gets_404_reopening_a_practice_a_case(as_user, clp_b, participant_a):
    _close(participant_a)
    c = as_user(clp_b)

    assert c.get(_reopen_url(participant_a)).status_code == 404
    assert c.post(_reopen_url(participant_a), {"note": ""}).status_code == 404
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.CLOSED


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_managers_and_leads_cannot_change_needs_or_status(as_user, request, participant_a, who):
    c = as_user(request.getfixturevalue(who))

    for url, data in (
        (_needs_url, {"add": [_need("Stress").pk], "on": "2024-02-10"}),
        (_close_url, {"on": "2024-06-01", "reason": "moved"}),
        (_reopen_url, {"note": ""}),
    ):
        assert c.get(url(participant_a)).status_code == 403
        assert c.post(url(participant_a), data).status_code == 403
    participant_a.refresh_from_db()
    assert participant_a.status == CaseStatus.OPEN
    assert not participant_a.needs.exists()


# The caseload's filters


def _caseload_refs(client, **params):
    response = client.get(reverse("participants:caseload"), params)
    assert response.status_code == 200
    return [p.ref for p in response.context["page"].object_list]


def test_a_closed_case_leaves_the_open_caseload_and_the_status_filter_finds_it(
    as_user, clp_a, manager_a, participant_a
):
    open_one = ParticipantFactory(practice=participant_a.practice, clp=clp_a, last_name="Zed")
    c = as_user(clp_a)
    c.post(_close_url(participant_a), {"on": "2024-06-01", "reason": "goals_met"})

    assert _caseload_refs(c) == [open_one.ref]
    assert _caseload_refs(c, status="closed") == [participant_a.ref]
    assert _caseload_refs(c, status="all") == [participant_a.ref, open_one.ref]
    assert _caseload_refs(as_user(manager_a), status="closed") == [participant_a.ref]

    c.post(_reopen_url(participant_a), {"note": ""})
    assert _caseload_refs(c, status="closed") == []


def test_the_caseload_need_filter_finds_current_needs_only(as_user, clp_a, participant_a):
    other = ParticipantFactory(practice=participant_a.practice, clp=clp_a)
    _give_need(participant_a, "Housing")
    _give_need(other, "Housing", resolved_on=date(2024, 2, 1))

    assert _caseload_refs(as_user(clp_a), need=_need("Housing").pk) == [participant_a.ref]


def test_the_caseload_quintile_filter(as_user, clp_a, participant_a):
    Participant.objects.filter(pk=participant_a.pk).update(simd_quintile=1, simd_decile=1)
    unknown = ParticipantFactory(practice=participant_a.practice, clp=clp_a)
    c = as_user(clp_a)

    assert _caseload_refs(c, quintile="1") == [participant_a.ref]
    assert _caseload_refs(c, quintile="2") == []
    assert _caseload_refs(c, quintile="0") == [unknown.ref]


def test_the_caseload_filters_never_reach_another_practice(
    as_user, clp_a, participant_a, participant_b
):
    _give_need(participant_b, "Housing")
    Participant.objects.filter(pk=participant_b.pk).update(simd_quintile=1, simd_decile=1)

    refs = _caseload_refs(
        as_user(clp_a),
        need=_need("Housing").pk,
        quintile="1",
        practice=participant_b.practice_id,
        status="all",
    )

    assert refs == []


# Query counts


def _fill_record(participant, rows):
    """`rows` consultations each discussing needs, `rows` needs (half resolved), a baseline
    and, for more than one row, a follow-up, and close/reopen changes."""
    needs = list(Need.objects.all()[:rows])
    for i, need in enumerate(needs):
        _give_need(
            participant,
            need.name,
            on=date(2024, 1, 20),
            resolved_on=date(2024, 3, 1) if i % 2 else None,
        )
    for i in range(rows):
        consultation = ConsultationFactory(
            participant=participant, date=date(2024, 2, 1) + timedelta(days=i)
        )
        consultation.needs_discussed.set(needs[:2])
    timepoints = [("baseline", date(2024, 2, 1))]
    if rows > 1:
        timepoints.append(("follow_up", date(2024, 11, 1)))
    for timepoint, on in timepoints:
        Assessment.objects.create(
            participant=participant,
            timepoint=timepoint,
            date=on,
            recorded_by=participant.clp,
            hads_anxiety=8,
            hads_depression=6,
            **dict.fromkeys(HADS_ITEMS, 1),
        )
    for i in range(rows):
        StatusChange.objects.create(
            participant=participant,
            status=CaseStatus.CLOSED if i % 2 == 0 else CaseStatus.OPEN,
            on=date(2024, 4, 1) + timedelta(days=i),
            discharge_reason="goals_met" if i % 2 == 0 else "",
            by=participant.clp,
        )


@pytest.mark.parametrize("rows", [1, 10])
def test_the_participant_page_makes_the_same_queries_however_long_the_record(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    participant = ParticipantFactory(practice=practice_a, clp=clp_a)
    _fill_record(participant, rows)
    c = as_user(clp_a)
    # 1 session, 2 user, 3 the user's attachments (roles), 4 the participant with practice
    # and CLP, 5 audit "view" insert; timeline: 6 consultations with their CLP, 7 their
    # needs discussed (prefetch), 8 assessments, 9 needs with their Need, 10 status changes
    # with who made them, 11 follow-ups (the summary reuses 8, 9 and 11); 12 risk flags with
    # who set and ended them; 13 referrals with their resource; then saving the session
    # (idle expiry): 14 savepoint, 15 update, 16 release.
    with django_assert_num_queries(16):
        response = c.get(_detail(participant))
    assert response.status_code == 200
    assert len(response.context["timeline"]) > rows


@pytest.mark.parametrize("rows", [1, 10])
def test_the_filtered_caseload_makes_the_same_queries_however_many_rows(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    housing = _need("Housing")
    for _ in range(rows):
        participant = ParticipantFactory(
            practice=practice_a, clp=clp_a, simd_quintile=1, simd_decile=2
        )
        _give_need(participant, "Housing")
        ConsultationFactory.create_batch(2, participant=participant)
        Assessment.objects.create(
            participant=participant,
            timepoint="baseline",
            date=date(2024, 2, 1),
            recorded_by=clp_a,
        )
    c = as_user(clp_a)
    # 1 session, 2 user, 3 the user's attachments (roles), 4 count of matching
    # participants (paginator), 5 the page's ids, 6 their rows with practice, CLP and their
    # contact figures, 7 the page's active risk flags, 8 practices for the filter, 9 needs
    # for the filter, 10 the audit insert naming the page's participants; then saving the
    # session: 11 savepoint, 12 update, 13 release.
    with django_assert_num_queries(13):
        response = c.get(reverse("participants:caseload"), {"need": housing.pk, "quintile": "1"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows
