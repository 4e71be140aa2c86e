"""The participants' scopes (`participants.access`) and the practices' (`practices.access`),
both built on the roles primitive (`practices.roles`): each rule tested through its
function and through the views that use it, so each test fails when its rule is removed."""

from datetime import date

import pytest
from django.urls import reverse

from participants.access import (
    can_read_notes,
    participants_in_aggregate_scope,
    participants_visible_to,
)
from practices.access import practices_visible_to
from practices.models import Attachment


def test_a_clp_sees_the_participants_of_their_own_practices_only(
    clp_a, participant_a, participant_b
):
    assert list(participants_visible_to(clp_a)) == [participant_a]


def test_a_practice_manager_sees_their_practices_caseload(manager_a, participant_a, participant_b):
    assert list(participants_visible_to(manager_a)) == [participant_a]


def test_a_programme_lead_sees_no_participant_rows(lead, participant_a, participant_b):
    assert list(participants_visible_to(lead)) == []


def test_a_programme_lead_may_count_every_participant(lead, participant_a, participant_b):
    assert participants_in_aggregate_scope(lead).count() == 2


def test_an_administrator_sees_everything(admin_user, participant_a, participant_b):
    assert participants_visible_to(admin_user).count() == 2


def test_a_user_with_no_attachment_sees_nothing(db, participant_a):
    from tests.factories import UserFactory

    assert list(participants_visible_to(UserFactory())) == []
    assert list(practices_visible_to(UserFactory())) == []


def test_an_ended_attachment_gives_no_access(clp_a, participant_a):
    Attachment.objects.filter(user=clp_a).update(ended_on=date(2020, 1, 1))
    assert list(participants_visible_to(clp_a)) == []


def test_an_inactive_user_sees_nothing(clp_a, participant_a):
    clp_a.is_active = False
    assert list(participants_visible_to(clp_a)) == []


def test_notes_are_for_the_clps_of_the_participants_practice(
    clp_a, clp_b, manager_a, lead, participant_a
):
    assert can_read_notes(clp_a, participant_a)
    assert not can_read_notes(manager_a, participant_a)
    assert not can_read_notes(clp_b, participant_a)
    assert not can_read_notes(lead, participant_a)


class TestParticipantPage:
    def url(self, participant):
        return reverse("participants:detail", args=[participant.ref])

    def test_a_clp_opens_their_practices_participant(self, as_user, clp_a, participant_a):
        response = as_user(clp_a).get(self.url(participant_a))
        assert response.status_code == 200
        assert "Alice" in response.content.decode()
        assert "Alice private note" in response.content.decode()

    def test_a_clp_of_practice_a_asking_for_a_practice_b_record_by_url_gets_404(
        self, as_user, clp_a, participant_b
    ):
        response = as_user(clp_a).get(self.url(participant_b))
        assert response.status_code == 404
        assert "Bella" not in response.content.decode()

    def test_a_practice_manager_sees_the_record_without_notes_or_goals(
        self, as_user, manager_a, participant_a
    ):
        response = as_user(manager_a).get(self.url(participant_a))
        body = response.content.decode()
        assert response.status_code == 200
        assert "Alice" in body
        assert "Alice private note" not in body
        assert "Contact money advice" not in body

    def test_a_practice_manager_cannot_open_another_practices_record(
        self, as_user, manager_a, participant_b
    ):
        assert as_user(manager_a).get(self.url(participant_b)).status_code == 404

    def test_a_programme_lead_gets_404_for_any_participant(self, as_user, lead, participant_a):
        assert as_user(lead).get(self.url(participant_a)).status_code == 404

    def test_an_unknown_reference_is_404(self, as_user, clp_a):
        assert as_user(clp_a).get("/participants/P999999/").status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, participant_a):
        response = client.get(self.url(participant_a))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestCaseloadPage:
    url = reverse("participants:caseload")

    def test_it_lists_only_the_users_practices(self, as_user, clp_a, participant_a, participant_b):
        body = as_user(clp_a).get(self.url).content.decode()
        assert "Anderson" in body
        assert "Brown" not in body

    def test_it_ignores_a_practice_filter_for_another_practice(
        self, as_user, clp_a, participant_a, participant_b, practice_b
    ):
        body = as_user(clp_a).get(self.url, {"practice": practice_b.pk}).content.decode()
        assert "Brown" not in body

    def test_the_outsiders_search_by_chi_finds_nothing(
        self, as_user, clp_b, participant_a, participant_b
    ):
        c = as_user(clp_b)
        response = c.post(reverse("participants:search"), {"q": participant_a.chi}, follow=True)
        assert "Anderson" not in response.content.decode()

    def test_a_programme_lead_may_not_open_the_caseload(self, as_user, lead, participant_a):
        assert as_user(lead).get(self.url).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        assert client.get(self.url).status_code == 302


class TestPracticesPage:
    url = reverse("practices:list")

    def test_a_programme_lead_sees_every_practice_with_counts(
        self, as_user, lead, participant_a, participant_b
    ):
        response = as_user(lead).get(self.url)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Calder Street Practice" in body and "Riverside Medical Group" in body
        assert "Anderson" not in body and participant_a.chi not in body

    @pytest.mark.parametrize("who", ["clp_a", "manager_a"])
    def test_practice_staff_may_not_open_it(self, request, as_user, who):
        assert as_user(request.getfixturevalue(who)).get(self.url).status_code == 403


class TestHomePage:
    def test_a_clp_sees_their_caseload_first(self, as_user, clp_a, participant_a, participant_b):
        body = as_user(clp_a).get("/").content.decode()
        assert "Your caseload" in body
        assert "Anderson" in body and "Brown" not in body

    def test_a_practice_manager_sees_cases_by_clp(self, as_user, manager_a, participant_a):
        body = as_user(manager_a).get("/").content.decode()
        assert "Your practice&#x27;s caseload" in body or "Your practice's caseload" in body
        assert "Anna A" in body
        assert "Anderson" not in body

    def test_a_programme_lead_sees_aggregates_without_names(
        self, as_user, lead, participant_a, participant_b
    ):
        body = as_user(lead).get("/").content.decode()
        assert "The programme at a glance" in body
        assert "Anderson" not in body and "Brown" not in body
