"""The CLP's and the practice manager's day, finished: a follow-up survives closing the case
as goals met; the manager finds who is overdue; the organisation's link arrives by email
and works; a search never puts a name or CHI number in a URL; every list page fits a
390 px phone without sideways scrolling; axe finds nothing on any of them."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participants.dates import add_months
from participants.followups import followups_run
from participants.measures import apply_scores
from participants.models import HADS_ITEMS, Assessment, FollowUp
from referrals.models import Category, Referral, ReferralStatus
from referrals.services import feedback_link_issue, referral_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD, ParticipantFactory
from tests.referrals.factories import ResourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def _baseline(participant, clp, *, due_in_days: int) -> None:
    """A baseline whose nine-month follow-up falls due `due_in_days` from today."""
    today = timezone.localdate()
    baseline = Assessment(
        participant=participant,
        timepoint="baseline",
        date=add_months(today + timedelta(days=due_in_days), -9),
        recorded_by=clp,
        exercise_days=1,
        **dict.fromkeys(HADS_ITEMS, 2),
    )
    apply_scores(baseline)
    baseline.save()
    participant.referred_on = baseline.date - timedelta(days=7)
    participant.save(update_fields=["referred_on"])
    followups_run(today=today)


def test_a_case_closed_as_goals_met_keeps_its_follow_up_to_complete(page, clp_a, participant_a):
    _baseline(participant_a, clp_a, due_in_days=-3)
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.goto(f"/participants/{participant_a.ref}/")
    page.get_by_role("link", name="Close case").click()
    page.get_by_label("Discharge reason").select_option("goals_met")
    page.get_by_role("button", name="Close the case").click()
    page.get_by_text("Goals met").first.wait_for()

    page.get_by_role("link", name="Follow-ups", exact=True).click()
    page.get_by_role("heading", name="Due now or this week").wait_for()
    assert page.get_by_text("Case closed").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=participant_a.first_name, exact=False).first.click()
    page.get_by_role("link", name="Record outcome measures").click()
    page.get_by_role("heading", name="Outcome measures").wait_for()
    assert page.get_by_label("Timepoint").input_value() == "follow_up"
    for number in range(1, 15):
        page.locator(f"#id_hads_{number}").fill("1")
    page.get_by_role("button", name="Save assessment").click()
    page.get_by_role("heading", name="Outcomes").wait_for()
    assert FollowUp.objects.get().status == "completed"
    assert_accessible(page)
    page.get_by_role("link", name="Follow-ups", exact=True).click()
    page.get_by_text("Nothing to follow up just now").wait_for()


def test_the_manager_clicks_one_overdue_and_sees_who(page, clp_a, manager_a, participant_a):
    _baseline(participant_a, clp_a, due_in_days=-60)
    sign_in(page, "manager_a", TEST_PASSWORD)
    overdue = page.get_by_role("link", name=re.compile(r"^1\s+follow-ups overdue"))
    overdue.click()
    page.get_by_role("heading", name="Overdue").wait_for()
    row = page.get_by_role("row").filter(has_text=participant_a.ref)
    text = row.inner_text()
    assert f"{participant_a.first_name} {participant_a.last_name}" in text
    assert clp_a.display_name in text and "Overdue" in text
    assert page.get_by_role("link", name=re.compile("Missed or declined")).count() == 0
    assert_accessible(page)

    page.goto("/reports/practice/")
    page.get_by_role("link", name=re.compile(r"^1\s+follow-ups overdue")).click()
    page.get_by_role("heading", name="Overdue").wait_for()
    assert page.get_by_text(participant_a.ref).is_visible()


def test_the_feedback_email_is_sent_and_its_link_works(
    page, new_context, clp_a, participant_a, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    Category.objects.get_or_create(name="Physical activity")
    resource = ResourceFactory(
        organisation="Springburn Strollers",
        name="Tuesday walking group",
        email="walks@example.org",
    )
    referral = referral_create(
        user=clp_a,
        participant=participant_a,
        resource=resource,
        on=date(2024, 3, 1),
        status=ReferralStatus.REFERRED,
    )
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.goto(f"/referrals/{referral.pk}/")
    page.get_by_role("link", name="Ask the organisation how it went").click()
    page.get_by_label("Email it to the service: walks@example.org").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Link emailed to walks@example.org").wait_for()

    [message] = mail.outbox
    assert message.to == ["walks@example.org"]
    assert "Alice A." in message.body and participant_a.chi not in message.body
    url = re.search(r"https?://\S+/feedback/\S+/", message.body).group(0)
    path = "/" + url.split("/", 3)[3]

    organisation = new_context().new_page()
    organisation.goto(path)
    organisation.get_by_role("heading", name="How did the referral go?").wait_for()
    organisation.get_by_role("group", name="Did Alice attend?").get_by_label("Yes").check()
    organisation.get_by_role("group", name="Did Alice engage").get_by_label("Yes").check()
    organisation.get_by_role("group", name="appropriate").get_by_label("Yes").check()
    organisation.get_by_role("group", name="relevant").get_by_label("Yes").check()
    organisation.get_by_role("button", name="Send your answer").click()
    organisation.get_by_role("heading", name="Thank you").wait_for()
    assert Referral.objects.get().status == ReferralStatus.ENGAGED

    # The referring CLP sees one new answer in the navigation, and the list of them.
    page.goto("/")
    page.get_by_role("link", name="Answers 1 new").click()
    page.get_by_role("heading", name="Organisations' answers").wait_for()
    assert page.get_by_text("New", exact=True).is_visible()
    assert_accessible(page)


def test_no_url_a_search_visits_holds_the_name_or_chi(page, clp_a, participant_a, practice_a):
    # More Andersons than one page holds, so paging is walked too.
    ParticipantFactory.create_batch(30, practice=practice_a, clp=clp_a, last_name="Anderson")
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.goto("/participants/")
    for terms in ("Anderson", participant_a.chi):
        page.get_by_label("Search", exact=True).fill(terms)
        page.get_by_label("Status").select_option("all")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"[?&]s="))
        assert page.get_by_label("Search", exact=True).input_value() == terms
    assert page.get_by_role("caption").inner_text() == "1 participant"
    assert page.get_by_text(participant_a.ref).is_visible()
    # Paging keeps the search and the filters.
    page.get_by_label("Search", exact=True).fill("Anderson")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"[?&]s="))
    page.get_by_role("link", name="Next").click()
    page.get_by_text("Page 2 of").wait_for()
    assert page.get_by_label("Search", exact=True).input_value() == "Anderson"
    assert_accessible(page)
    assert urls
    for url in urls:
        assert "Anderson" not in url and participant_a.chi not in url, url


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"
    overflowing = page.evaluate(
        """[...document.querySelectorAll('main *')]
            // Text kept for screen readers only is clipped to a pixel, never seen.
            .filter(el => !el.closest('.visually-hidden, .table-stack thead'))
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1
                          && getComputedStyle(el).visibility !== 'hidden'
                          && el.getClientRects().length)
            .map(el => el.tagName + '.' + el.className).slice(0, 5)"""
    )
    assert overflowing == [], f"{page.url}: {overflowing}"


def test_every_list_page_fits_a_phone(
    browser, live_server, clp_a, manager_a, lead, participant_a, practice_a
):
    _baseline(participant_a, clp_a, due_in_days=-3)
    Category.objects.get_or_create(name="Physical activity")
    resource = ResourceFactory(
        organisation="Springburn Strollers Community Walking Association",
        name="Tuesday walking group",
        email="walks@example.org",
        categories=["Physical activity"],
    )
    referral = referral_create(
        user=clp_a,
        participant=participant_a,
        resource=resource,
        on=timezone.localdate(),
        status=ReferralStatus.REFERRED,
    )
    feedback_link_issue(user=clp_a, referral=referral)
    pages = {
        "clp_a": [
            "/participants/?status=all",
            "/followups/",
            "/referrals/?status=all",
            "/resources/",
            "/referrals/answers/",
        ],
        "manager_a": ["/followups/", "/participants/", "/referrals/", "/reports/practice/"],
        "lead": ["/practices/", "/reports/", "/data/import/"],
    }
    for username, paths in pages.items():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, username, TEST_PASSWORD)
        for path in paths:
            page.goto(path)
            _fits(page)
            assert_accessible(page)
        context.close()
