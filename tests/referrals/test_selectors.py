"""Reading the directory, a participant's referrals and the statistics."""

from datetime import date

import pytest

from participants.models import Need
from referrals.models import Category, Referral, ReferralStatus
from referrals.selectors import (
    referral_list_for,
    referral_statistics,
    referrals_for_participant,
    resource_areas,
    resource_directory,
    resource_directory_listing,
    resource_directory_pages,
    resource_with_figures,
    statistics_years,
)
from referrals.services import feedback_link_issue, feedback_record, referral_set_status
from tests.factories import ParticipantFactory
from tests.referrals.factories import ReferralFactory, ResourceFactory

S = ReferralStatus


def _page(qs):
    """The directory's first page as the page reads it: rows, figures and categories by id."""
    return resource_directory_listing(qs)[0:25]


@pytest.fixture
def directory(db):
    return {
        "walk": ResourceFactory(
            organisation="Springburn Strollers",
            name="Tuesday walking group",
            area="Springburn",
            categories=["Physical activity", "Social groups"],
        ),
        "debt": ResourceFactory(
            organisation="Eastend Money Matters",
            name="Debt advice",
            description="Help with bills and benefits",
            area="Dennistoun",
            categories=["Money advice"],
        ),
        "choir": ResourceFactory(
            organisation="Govan Community Choir",
            name="Sing for health",
            area="Govan",
            categories=["Arts and creativity", "Social groups"],
            active=False,
        ),
    }


def _names(qs):
    return [r.name for r in qs]


def test_the_directory_lists_active_services_in_order(directory):
    assert _names(resource_directory()) == ["Debt advice", "Tuesday walking group"]
    assert len(resource_directory(include_inactive=True)) == 3


def test_every_word_of_a_search_must_match_somewhere(directory):
    assert _names(resource_directory(search="walking springburn")) == ["Tuesday walking group"]
    assert _names(resource_directory(search="bills")) == ["Debt advice"]
    assert _names(resource_directory(search="walking bills")) == []


def test_a_search_matches_category_names_without_repeating_a_service(directory):
    assert _names(resource_directory(search="social")) == ["Tuesday walking group"]
    assert _names(resource_directory(search="a")) == ["Debt advice", "Tuesday walking group"]


def test_the_directory_filters_by_category_and_area(directory):
    social = Category.objects.get(name="Social groups")
    assert _names(resource_directory(category_id=social.pk)) == ["Tuesday walking group"]
    assert _names(resource_directory(category_id=social.pk, include_inactive=True)) == [
        "Sing for health",
        "Tuesday walking group",
    ]
    assert _names(resource_directory(area="dennistoun")) == ["Debt advice"]


def test_areas_come_from_active_services(directory):
    assert resource_areas() == ["Dennistoun", "Springburn"]


def test_a_service_counts_its_referrals_and_the_people_who_engaged(directory, clp_a):
    walk = directory["walk"]
    alice = ParticipantFactory(clp=clp_a, practice=clp_a.attachments.get().practice)
    ReferralFactory(resource=walk, participant=alice, status=S.CLOSED, engaged_on=date(2024, 3, 9))
    ReferralFactory(resource=walk, participant=alice, status=S.ENGAGED, engaged_on=date(2024, 5, 1))
    ReferralFactory(resource=walk, status=S.SUGGESTED)
    ReferralFactory(resource=directory["debt"])

    figures = resource_with_figures(pk=walk.pk)
    # Three referrals; Alice engaged twice but is one person.
    assert (figures.referral_count, figures.engaged_count) == (3, 1)
    listed = {r.name: (r.referral_count, r.engaged_count) for r in _page(resource_directory())}
    assert listed == {"Tuesday walking group": (3, 1), "Debt advice": (1, 0)}


def test_the_directorys_referral_counts_follow_deletions_and_moves(directory):
    """The referral counts are summed from the running counts per service and month: a
    referral deleted or given another service moves them as a count of the rows would."""
    walk, debt = directory["walk"], directory["debt"]
    first, second, _ = (ReferralFactory(resource=walk) for _ in range(3))
    first.delete()
    second.resource = debt
    second.save()
    listed = {r.name: r.referral_count for r in _page(resource_directory())}
    assert listed == {
        "Tuesday walking group": Referral.objects.filter(resource=walk).count(),
        "Debt advice": Referral.objects.filter(resource=debt).count(),
    }
    assert listed == {"Tuesday walking group": 1, "Debt advice": 1}


def test_a_participants_referrals_are_scoped_to_the_user(
    clp_a, clp_b, manager_a, lead, participant_a, referral_a
):
    assert referrals_for_participant(participant=participant_a, user=clp_a) == [referral_a]
    assert referrals_for_participant(participant=participant_a, user=manager_a) == [referral_a]
    assert referrals_for_participant(participant=participant_a, user=clp_b) == []
    assert referrals_for_participant(participant=participant_a, user=lead) == []


def test_a_participants_referrals_take_one_query_however_many(
    clp_a, participant_a, django_assert_num_queries
):
    for _ in range(5):
        ReferralFactory(participant=participant_a, need=Need.objects.first())
    clp_a._links_roles = None
    # The user's roles, then the referrals with their services, needs and CLPs.
    with django_assert_num_queries(2):
        referrals = referrals_for_participant(participant=participant_a, user=clp_a)
        assert [r.resource.name for r in referrals] and [r.clp.username for r in referrals]
        assert all(r.need for r in referrals)


def test_the_referral_list_filters_by_status(clp_a, participant_a, referral_a):
    closed = ReferralFactory(participant=participant_a, status=S.CLOSED)
    assert list(referral_list_for(user=clp_a)) == [closed, referral_a]
    assert list(referral_list_for(user=clp_a, status="open")) == [referral_a]
    assert list(referral_list_for(user=clp_a, status=S.CLOSED)) == [closed]


# Statistics


@pytest.fixture
def year_of_referrals(db, directory, clp_a, participant_a):
    """2024: five referrals to two services, in Q1, Q2 and Q4; one from 2023."""
    walk, debt = directory["walk"], directory["debt"]
    make = ReferralFactory
    make(resource=walk, date=date(2024, 1, 10), status=S.SUGGESTED)
    make(
        resource=walk,
        date=date(2024, 2, 10),
        status=S.ENGAGED,
        attended_on=date(2024, 2, 20),
        engaged_on=date(2024, 3, 1),
        feedback_at="2024-03-01T10:00Z",
        feedback_appropriate=True,
        feedback_relevant=True,
    )
    make(
        resource=walk,
        date=date(2024, 5, 5),
        status=S.CLOSED,
        attended_on=date(2024, 5, 9),
        engaged_on=date(2024, 5, 9),
        feedback_at="2024-05-10T10:00Z",
        feedback_appropriate=False,
        feedback_relevant=True,
    )
    make(resource=debt, date=date(2024, 5, 20), status=S.DID_NOT_ATTEND)
    make(resource=debt, date=date(2024, 11, 1), status=S.REFERRED)
    make(resource=debt, date=date(2023, 6, 1), status=S.ENGAGED, engaged_on=date(2023, 7, 1))


def test_the_years_run_from_the_first_referral_to_this_one(lead, year_of_referrals):
    years = statistics_years(user=lead)
    assert years[-1] == 2023 and years[0] >= 2024


def test_the_year_is_counted_by_quarter(lead, year_of_referrals):
    stats = referral_statistics(user=lead, year=2024, period="quarter")
    t = stats.totals
    assert (t.referrals, t.suggested_only, t.referred, t.attended) == (5, 1, 4, 2)
    # The May walk reached engaged and was closed later: it reached engaged, but its latest
    # status is not engaged, so the engagement figure (as everywhere) leaves it out.
    assert (t.reached_engaged, t.engaged) == (2, 1)
    assert (t.engagement_rate, t.feedback, t.appropriate_share, t.relevant_share) == (
        20.0,
        2,
        50.0,
        100.0,
    )
    assert stats.periods == ["Q1", "Q2", "Q3", "Q4"]
    assert [(label, f.referrals, f.engaged) for label, f in stats.by_period] == [
        ("Q1", 2, 1),
        ("Q2", 2, 0),
        ("Q3", 0, 0),
        ("Q4", 1, 0),
    ]


def test_the_year_is_counted_by_month(lead, year_of_referrals):
    stats = referral_statistics(user=lead, year=2024, period="month")
    assert len(stats.periods) == 12 and stats.periods[0] == "Jan"
    assert [f.referrals for _, f in stats.by_period] == [1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0]


def test_categories_count_every_referral_to_their_services_and_show_zeros(lead, year_of_referrals):
    stats = referral_statistics(user=lead, year=2024, period="quarter")
    rows = {row.label: row for row in stats.by_category}
    assert rows["Physical activity"].by_period == [2, 1, 0, 0]
    assert rows["Social groups"].figures.referrals == 3  # the walk is in both categories
    assert rows["Money advice"].by_period == [0, 1, 0, 1]
    assert rows["Money advice"].figures.engagement_rate == 0
    assert rows["Housing"].figures.referrals == 0 and rows["Housing"].by_period == [0, 0, 0, 0]
    assert rows["Physical activity"].figures.appropriate_share == 50


def test_services_are_counted_with_their_engagement(lead, year_of_referrals):
    stats = referral_statistics(user=lead, year=2024, period="quarter")
    assert [(r.label, r.detail, r.by_period, r.figures.engaged) for r in stats.by_resource] == [
        ("Debt advice", "Eastend Money Matters", [0, 1, 0, 1], 0),
        ("Tuesday walking group", "Springburn Strollers", [2, 1, 0, 0], 1),
    ]


def test_a_year_without_referrals_counts_nothing(lead, year_of_referrals):
    stats = referral_statistics(user=lead, year=2019)
    assert stats.totals.referrals == 0 and stats.totals.engagement_rate is None
    assert stats.by_resource == []


def test_the_organisations_answer_counts_once_it_arrives(clp_a, lead, referral_a):
    link, _ = feedback_link_issue(user=clp_a, referral=referral_a)
    feedback_record(link=link, attended=True, engaged=False, appropriate=True, relevant=False)
    referral_set_status(user=clp_a, referral=referral_a, status=S.CLOSED, on=date.today())
    t = referral_statistics(user=lead, year=2024).totals
    assert (t.attended, t.engaged, t.feedback, t.appropriate, t.relevant) == (1, 0, 1, 1, 0)


def test_the_directorys_page_names_each_services_categories_in_order(directory):
    first, second = Category.objects.order_by("position", "name")[:2]
    directory["walk"].categories.set([second, first])
    rows = {r.name: r.category_names for r in _page(resource_directory())}
    assert rows == {
        "Tuesday walking group": f"{first.name}, {second.name}",
        "Debt advice": "Money advice",
    }


@pytest.mark.parametrize("include_inactive", [False, True])
def test_the_whole_directory_pages_as_its_unfiltered_search_does(directory, include_inactive):
    """With no search, category or area the directory is read by prepared queries: the same
    services, in the same order, with the same figures, page by page."""
    ResourceFactory(organisation="aardvark trust", name="Zumba", area="Govan")
    ReferralFactory(resource=directory["walk"])
    whole = resource_directory_pages(include_inactive=include_inactive)
    searched = resource_directory_listing(resource_directory(include_inactive=include_inactive))
    assert len(whole) == searched.count() == (4 if include_inactive else 3)

    def rows(listing, start, stop):
        return [(r.pk, r.referral_count, r.engaged_count) for r in listing[start:stop]]

    for start, stop in ((0, 2), (2, 4), (1, 10), (5, 7)):
        assert rows(whole, start, stop) == rows(searched, start, stop)
    assert [r.pk for r in whole] == [r.pk for r in searched[0:10]]
    assert whole[1].pk == searched[1].pk
