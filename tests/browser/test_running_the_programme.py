"""A programme year run from the browser alone: the lead adds a practice and invites its
staff, the new CLP sets a password from the emailed link and registers someone, a CLP at
another practice transfers a participant there, and the staff survey runs through a
practice's link with its results suppressed. No page of /admin/ is opened."""

import random
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from participants.chi import make_chi
from participants.models import Participant
from practices.models import Attachment, Practice, StaffRole, StaffSurveyResponse
from practices.services import survey_round_open
from programme.survey_links import survey_from_token, survey_token, survey_url
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_PASSWORD = "Cobalt-harbour-lantern-42"


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _fits_390(page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1024, "height": 768})


def test_a_lead_runs_a_year_without_the_admin(
    page, new_context, lead, clp_b, participant_b, mailoutbox
):
    visited = []
    page.on("request", lambda request: visited.append(request.url))

    # The lead adds a practice.
    sign_in(page, "lead", TEST_PASSWORD)
    page.get_by_role("button", name="Programme").click()
    page.get_by_role("link", name="Practices", exact=True).click()
    page.get_by_role("link", name="Add a practice").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Northfield Medical Centre")
    page.get_by_label("Practice code").fill("n4242")
    page.get_by_label("Health board").select_option("lothian")
    page.get_by_label("Deep End practice").check()
    page.get_by_label("Joined the programme").fill(
        (timezone.localdate() - timedelta(days=7)).isoformat()
    )
    page.get_by_role("button", name="Save practice").click()
    page.get_by_text("Saved Northfield Medical Centre.").wait_for()
    practice = Practice.objects.get(code="N4242")
    assert_accessible(page)
    _fits_390(page)

    # … and invites a CLP and a practice manager to it.
    for name, email, role in [
        ("Nina Newcome", "nina.newcome@example.org", "clp"),
        ("Paul Manson", "paul.manson@example.org", "practice_manager"),
    ]:
        page.get_by_role("button", name="Programme").click()
        page.get_by_role("link", name="Staff", exact=True).click()
        page.get_by_role("link", name="Invite someone").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Northfield Medical Centre").check()
        page.get_by_label("Role at these practices").select_option(role)
        assert_accessible(page)
        page.get_by_role("button", name="Send the invitation").click()
        page.get_by_text(f"Invited {name}").wait_for()
    assert page.get_by_role("heading", name="Pending invitations").is_visible()
    assert_accessible(page)
    _fits_390(page)
    assert Attachment.objects.filter(practice=practice, role=StaffRole.CLP).count() == 1
    assert (
        Attachment.objects.filter(practice=practice, role=StaffRole.PRACTICE_MANAGER).count() == 1
    )

    # The CLP follows the emailed link, sets a password and signs in.
    assert [m.to for m in mailoutbox] == [["nina.newcome@example.org"], ["paul.manson@example.org"]]
    invitation = mailoutbox[0]
    username = re.search(r"Your sign-in name is (\S+)\.", invitation.body).group(1)
    clp = new_context().new_page()
    clp.goto(_link_path(invitation))
    clp.get_by_role("heading", name="Welcome to Links").wait_for()
    assert_accessible(clp)
    clp.locator("#id_new_password1").fill(NEW_PASSWORD)
    clp.locator("#id_new_password2").fill(NEW_PASSWORD)
    clp.get_by_role("button", name="Set my password").click()
    clp.get_by_text("Your password is set").wait_for()
    # The link is used up.
    clp.goto(_link_path(invitation))
    clp.get_by_role("heading", name="This invitation link does not work").wait_for()

    sign_in(clp, username, NEW_PASSWORD)
    clp.get_by_role("link", name="Caseload", exact=True).click()
    clp.get_by_role("link", name="Register a participant").click()
    chi = make_chi(date_of_birth=date(1980, 5, 17), sex="male", rng=random.Random(14))
    clp.get_by_label("CHI number").fill(chi)
    clp.get_by_label("First name").fill("Ruaridh")
    clp.get_by_label("Last name").fill("Newton")
    clp.get_by_label("Date of birth").fill("1980-05-17")
    clp.get_by_label("Sex").select_option("male")
    clp.get_by_label("Referred by").select_option("gp")
    clp.get_by_role("button", name="Register").click()
    clp.get_by_role("heading", name="Timeline").wait_for()
    assert Participant.objects.get(chi=chi).practice == practice

    # A CLP at another practice transfers a participant who moved to the new practice.
    other = new_context().new_page()
    sign_in(other, "clp_b", TEST_PASSWORD)
    other.goto(f"/participants/{participant_b.ref}/")
    other.get_by_role("link", name="Transfer to another practice").click()
    assert_accessible(other)
    other.get_by_label("New practice and CLP").select_option(
        label="Northfield Medical Centre — Nina Newcome"
    )
    other.get_by_role("button", name="Transfer the record").click()
    other.get_by_text(f"{participant_b.ref} now belongs to Northfield Medical Centre").wait_for()
    participant_b.refresh_from_db()
    assert participant_b.practice == practice and participant_b.clp.username == username
    # It has gone from the old practice's view, and arrived in the new CLP's caseload.
    assert other.goto(f"/participants/{participant_b.ref}/").status == 404
    clp.goto(f"/participants/{participant_b.ref}/")
    clp.get_by_role("heading", name="Timeline").wait_for()

    # The lead opens a survey round; answers arrive through the practice's link.
    page.get_by_role("button", name="Programme").click()
    page.get_by_role("link", name="Staff survey", exact=True).click()
    page.get_by_label("Closes on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Open the round").click()
    page.get_by_role("heading", name=f"Staff survey {timezone.localdate().year}").wait_for()
    assert_accessible(page)
    _fits_390(page)
    link = (
        page.locator("li", has_text="Northfield Medical Centre")
        .get_by_role("link")
        .get_attribute("href")
    )
    survey_path = re.search(r"https?://[^/]+(/\S+)", link).group(1)

    staff = new_context().new_page()
    for wellbeing, give_up in [("Yes", "No"), ("Yes", "Yes"), ("No", "No")]:
        staff.goto(survey_path)
        staff.get_by_role("heading", name="Staff survey").wait_for()
        staff.get_by_role("group", name=re.compile("team-wellbeing")).get_by_label(
            wellbeing
        ).check()
        staff.get_by_role("group", name=re.compile("give up")).get_by_label(give_up).check()
        staff.get_by_role("button", name="Send my answers").click()
        staff.get_by_role("heading", name="Thank you").wait_for()
    assert_accessible(staff)
    assert StaffSurveyResponse.objects.filter(practice=practice).count() == 3

    # Three answers: the practice's figures are suppressed in the round's results.
    page.reload()
    row = page.get_by_role("row", name=re.compile("Northfield Medical Centre"))
    assert row.get_by_role("cell").nth(1).inner_text() == "<5"
    assert "3" not in row.inner_text()

    assert not [url for url in visited if "/admin/" in url]


def test_the_other_new_pages_pass_the_accessibility_check_and_fit_a_phone(
    page, new_context, lead, clp_a, manager_a, practice_a, participant_a
):
    survey_round = survey_round_open(
        user=lead, year=timezone.localdate().year, closes_on=timezone.localdate() + timedelta(30)
    )
    attachment = Attachment.objects.get(user=clp_a)

    sign_in(page, "lead", TEST_PASSWORD)
    for path in [
        f"/programme/staff/{clp_a.pk}/",
        f"/programme/attachments/{attachment.pk}/end/",
        f"/practices/{practice_a.pk}/left/",
        "/programme/survey/",
    ]:
        page.goto(path)
        page.get_by_role("heading", level=1).wait_for()
        assert_accessible(page)
        _fits_390(page)
    # The end-attachment page is worked with the keyboard alone.
    page.goto(f"/programme/attachments/{attachment.pk}/end/")
    page.get_by_label("Last day").focus()
    for _ in range(4):  # through the date's day, month and year
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_reassign_to":
            break
    assert page.evaluate("document.activeElement.id") == "id_reassign_to"

    manager = new_context().new_page()
    sign_in(manager, "manager_a", TEST_PASSWORD)
    manager.get_by_role("link", name="Staff survey").click()
    manager.get_by_role("heading", name="Staff survey").wait_for()
    # The link is signed with the second it was made in, so it is read off the page and
    # checked to name this round and practice rather than compared with a fresh one.
    prefix = survey_url(survey_round, practice_a).rsplit("/survey/", 1)[0] + "/survey/"
    shown = manager.get_by_text(prefix).first
    assert shown.is_visible()
    token = shown.inner_text().strip().removeprefix(prefix).strip("/")
    assert survey_from_token(token) == (survey_round, practice_a)
    assert_accessible(manager)
    _fits_390(manager)

    visitor = new_context().new_page()
    visitor.goto("/accounts/login/")
    visitor.get_by_role("link", name="Forgotten your password?").click()
    visitor.get_by_role("heading", name="Reset your password").wait_for()
    assert_accessible(visitor)
    visitor.get_by_label("Email").fill("nobody@example.org")
    visitor.get_by_role("button", name="Send the link").click()
    visitor.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(visitor)
    visitor.goto(f"/survey/{survey_token(survey_round, practice_a)}/")
    visitor.get_by_role("heading", name="Staff survey").wait_for()
    assert_accessible(visitor)
    _fits_390(visitor)
