"""Risk flags: set and ended by the participant's CLPs, shown wherever the participant
appears to the staff of their practice, reasons for the CLPs only, history kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from participants import urls
from participants.access import can_read_flag_reasons, risk_flags_visible_to
from participants.dates import add_months
from participants.followups import followups_run
from participants.models import Assessment, Consultation, RiskFlag
from participants.services import consultation_log, risk_flag_end, risk_flag_set
from tests.factories import RiskFlagFactory


def _detail(participant):
    return reverse("participants:detail", args=[participant.ref])


def test_a_clp_sets_a_flag_and_it_shows_on_the_participant_page(as_user, clp_a, participant_a):
    c = as_user(clp_a)
    response = c.post(
        reverse("participants:new_flag", args=[participant_a.ref]),
        {"kind": "do_not_visit_alone", "reason": "Partner threatening at last visit"},
    )
    assert response.status_code == 302
    flag = RiskFlag.objects.get()
    assert (flag.set_by, flag.kind) == (clp_a, "do_not_visit_alone")
    page = c.get(_detail(participant_a)).content.decode()
    assert "Do not visit alone" in page
    assert "Partner threatening at last visit" in page
    event = AuditEvent.objects.get(object_type="riskflag")
    assert "threatening" not in event.detail


@pytest.mark.parametrize(
    ("who", "status"),
    [("clp_a", 200), ("clp_b", 404), ("manager_a", 403), ("lead", 403), ("admin_user", 403)],
)
def test_only_the_participants_clps_set_flags(request, as_user, participant_a, who, status):
    url = reverse("participants:new_flag", args=[participant_a.ref])
    assert as_user(request.getfixturevalue(who)).get(url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("clp_a", 200), ("clp_b", 404), ("manager_a", 403), ("lead", 403)],
)
def test_only_the_participants_clps_end_flags(request, as_user, participant_a, who, status):
    flag = RiskFlagFactory(participant=participant_a)
    url = reverse("participants:end_flag", args=[participant_a.ref, flag.pk])
    assert as_user(request.getfixturevalue(who)).get(url).status_code == status


def test_a_practice_manager_sees_the_flag_and_its_kind_but_not_the_reason(
    as_user, manager_a, participant_a
):
    RiskFlagFactory(participant=participant_a, kind="aggression", reason="Threw a chair")
    page = as_user(manager_a).get(_detail(participant_a)).content.decode()
    assert "Aggressive behaviour reported" in page
    assert "Threw a chair" not in page
    assert not can_read_flag_reasons(manager_a, participant_a)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("clp_a", True),
        ("manager_a", True),
        ("admin_user", True),
        ("clp_b", False),
        ("lead", False),
    ],
)
def test_flags_are_visible_to_those_who_may_open_the_participant(request, participant_a, who, sees):
    flag = RiskFlagFactory(participant=participant_a)
    user = request.getfixturevalue(who)
    assert risk_flags_visible_to(user).filter(pk=flag.pk).exists() is sees


def test_the_outsider_gets_404_on_the_participant_page_and_its_flags(as_user, clp_b, participant_a):
    RiskFlagFactory(participant=participant_a)
    assert as_user(clp_b).get(_detail(participant_a)).status_code == 404


def test_an_ended_flag_stays_in_the_history_and_leaves_the_lists(as_user, clp_a, participant_a):
    flag = RiskFlagFactory(participant=participant_a, reason="Dog bites")
    c = as_user(clp_a)
    url = reverse("participants:end_flag", args=[participant_a.ref, flag.pk])
    assert c.post(url, {"note": "Moved to a new flat"}).status_code == 302
    flag.refresh_from_db()
    assert flag.ended_by == clp_a and flag.ended_at is not None
    page = c.get(_detail(participant_a)).content.decode()
    assert "Ended risk flags" in page and "Moved to a new flat" in page
    caseload = c.get(reverse("participants:caseload")).content.decode()
    assert "Do not visit alone" not in caseload
    # Ending again is refused: there is no active flag to end.
    assert c.post(url, {"note": "again"}).status_code == 404
    with pytest.raises(ValidationError):
        risk_flag_end(user=clp_a, flag=flag, note="again")
    assert RiskFlag.objects.count() == 1


def test_a_flag_cannot_be_edited_or_removed_through_the_app(clp_a, participant_a):
    """There is no edit or delete view: the only writes are set and end."""
    names = {p.name for p in urls.urlpatterns}
    assert {n for n in names if "flag" in (n or "")} == {"new_flag", "end_flag"}


def test_the_flag_shows_on_the_caseload_row(as_user, clp_a, manager_a, participant_a):
    RiskFlagFactory(participant=participant_a)
    for user in (clp_a, manager_a):
        page = as_user(user).get(reverse("participants:caseload")).content.decode()
        row = page.split(f"/participants/{participant_a.ref}/")[1].split("</tr>")[0]
        assert "Do not visit alone" in row


def test_the_flag_shows_on_the_worklist(as_user, clp_a, participant_a):
    today = timezone.localdate()
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=add_months(today - timedelta(days=2), -9),
        recorded_by=clp_a,
    )
    followups_run(today=today)
    RiskFlagFactory(participant=participant_a)
    page = as_user(clp_a).get(reverse("followups:worklist")).content.decode()
    assert "Do not visit alone" in page


def test_a_review_date_in_the_past_is_refused(clp_a, participant_a):
    with pytest.raises(ValidationError):
        risk_flag_set(
            user=clp_a,
            participant=participant_a,
            kind="other",
            reason="x",
            review_on=timezone.localdate() - timedelta(days=1),
        )


def _home_visit(**overrides):
    data = {
        "date": "2024-03-04",
        "attended": "yes",
        "mode": "home",
        "duration_minutes": "45",
        "notes": "Visited at home",
    }
    data.update(overrides)
    return data


def test_a_home_visit_to_someone_flagged_asks_who_went(as_user, clp_a, participant_a):
    RiskFlagFactory(participant=participant_a)
    c = as_user(clp_a)
    url = reverse("participants:log_consultation", args=[participant_a.ref])
    form = c.get(url).content.decode()
    assert "do not visit alone" in form.lower()
    response = c.post(url, _home_visit())
    assert response.status_code == 200
    assert "Confirm that you did not go alone" in response.content.decode()
    assert Consultation.objects.filter(participant=participant_a, mode="home").count() == 0
    response = c.post(
        url, _home_visit(visited_with="Jo Smith, practice nurse", confirm_not_alone="on")
    )
    assert response.status_code == 302
    visit = Consultation.objects.get(participant=participant_a, mode="home")
    assert visit.visited_with == "Jo Smith, practice nurse"


def test_a_telephone_call_to_someone_flagged_asks_nothing_more(as_user, clp_a, participant_a):
    RiskFlagFactory(participant=participant_a)
    url = reverse("participants:log_consultation", args=[participant_a.ref])
    response = as_user(clp_a).post(url, _home_visit(mode="telephone", visited_with="Someone"))
    assert response.status_code == 302
    assert Consultation.objects.get(mode="telephone").visited_with == ""


def test_without_the_flag_the_form_does_not_ask(as_user, clp_a, participant_a):
    url = reverse("participants:log_consultation", args=[participant_a.ref])
    c = as_user(clp_a)
    assert "visited_with" not in c.get(url).content.decode()
    assert c.post(url, _home_visit()).status_code == 302


def test_the_service_refuses_a_lone_home_visit_whoever_calls_it(clp_a, participant_a):
    RiskFlagFactory(participant=participant_a)
    visit = Consultation(
        participant=participant_a,
        clp=clp_a,
        date=participant_a.referred_on,
        mode="home",
        duration_minutes=30,
    )
    with pytest.raises(ValidationError) as error:
        consultation_log(user=clp_a, consultation=visit)
    assert "visited_with" in error.value.message_dict
