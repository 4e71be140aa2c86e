from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from participants.dates import add_months
from participants.followups import followups_run
from participants.models import Assessment
from tests.factories import ConsultationFactory, ParticipantFactory

URL = reverse("participants:caseload")
SEARCH = reverse("participants:search")


def _refs_in_order(body: str, refs: list[str]) -> list[str]:
    return sorted(refs, key=body.index)


def test_a_search_by_name_keeps_the_name_out_of_every_url(as_user, clp_a, participant_a):
    response = as_user(clp_a).post(SEARCH, {"q": "Anderson", "status": "all"}, follow=True)
    assert "Anderson" in response.content.decode()
    for url, _ in response.redirect_chain:
        assert "Anderson" not in url
        assert "s=" in url and "status=all" in url


def test_a_search_by_chi_keeps_the_chi_out_of_the_url_and_the_paging_links(
    as_user, clp_a, participant_a
):
    response = as_user(clp_a).post(SEARCH, {"q": participant_a.chi}, follow=True)
    assert participant_a.ref in response.content.decode()
    assert all(participant_a.chi not in url for url, _ in response.redirect_chain)


def test_an_opaque_id_means_nothing_to_another_session(as_user, clp_a, participant_a, practice_a):
    ParticipantFactory(practice=practice_a, clp=clp_a, last_name="Zebedee")
    token_url = as_user(clp_a).post(SEARCH, {"q": "Anderson"})["Location"]
    # The id is a key into the session that made it, not the terms: elsewhere it filters
    # nothing.
    assert "Zebedee" in as_user(clp_a).get(token_url).content.decode()


def test_names_in_the_query_string_are_not_searched(as_user, clp_a, participant_a, practice_a):
    ParticipantFactory(practice=practice_a, clp=clp_a, last_name="Zebedee")
    body = as_user(clp_a).get(URL, {"q": "Anderson"}).content.decode()
    assert "Zebedee" in body


def test_empty_next_contact_sorts_last_both_ways(as_user, clp_a, practice_a):
    today = timezone.localdate()
    none = ParticipantFactory(practice=practice_a, clp=clp_a, ref="P2001")
    soon = ParticipantFactory(
        practice=practice_a, clp=clp_a, ref="P2002", next_contact_on=today + timedelta(days=1)
    )
    later = ParticipantFactory(
        practice=practice_a, clp=clp_a, ref="P2003", next_contact_on=today + timedelta(days=9)
    )
    refs = [none.ref, soon.ref, later.ref]
    up = as_user(clp_a).get(URL, {"sort": "next_contact"}).content.decode()
    down = as_user(clp_a).get(URL, {"sort": "-next_contact"}).content.decode()
    assert _refs_in_order(up, refs) == [soon.ref, later.ref, none.ref]
    assert _refs_in_order(down, refs) == [later.ref, soon.ref, none.ref]


def test_last_contact_is_the_last_attended_consultation_on_home_and_caseload(
    as_user, clp_a, practice_a
):
    participant = ParticipantFactory(practice=practice_a, clp=clp_a)
    ConsultationFactory(participant=participant, date=date(2024, 3, 4))
    ConsultationFactory(participant=participant, date=date(2024, 5, 6), attended=False)
    c = as_user(clp_a)
    for page in (URL, reverse("home")):
        body = c.get(page).content.decode()
        assert "4 Mar 2024" in body
        assert "6 May 2024" not in body


def test_the_follow_up_column_shows_the_state_and_filters_by_it(as_user, clp_a, practice_a):
    today = timezone.localdate()
    overdue = ParticipantFactory(practice=practice_a, clp=clp_a, ref="P3001")
    Assessment.objects.create(
        participant=overdue,
        timepoint="baseline",
        date=add_months(today - timedelta(days=50), -9),
        recorded_by=clp_a,
    )
    later = ParticipantFactory(practice=practice_a, clp=clp_a, ref="P3002")
    Assessment.objects.create(
        participant=later, timepoint="baseline", date=today - timedelta(days=10), recorded_by=clp_a
    )
    followups_run(today=today)
    c = as_user(clp_a)
    body = c.get(URL).content.decode()
    assert "Overdue" in body and "Scheduled" in body
    overdue_only = c.get(URL, {"followup": "overdue"}).content.decode()
    assert overdue.ref in overdue_only and later.ref not in overdue_only
    scheduled = c.get(URL, {"followup": "scheduled"}).content.decode()
    assert later.ref in scheduled and overdue.ref not in scheduled
    by_due = c.get(URL, {"sort": "-follow_up"}).content.decode()
    assert _refs_in_order(by_due, [overdue.ref, later.ref]) == [later.ref, overdue.ref]


def test_each_row_links_to_the_participants_record(as_user, clp_a, participant_a):
    body = as_user(clp_a).get(URL).content.decode()
    link = reverse("participants:detail", args=[participant_a.ref])
    assert f'<a href="{link}">{participant_a.last_name}, {participant_a.first_name}</a>' in body
