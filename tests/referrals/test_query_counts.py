"""Query counts of the directory and statistics pages are pinned: they must not grow with
the number of services or referrals, or a directory of hundreds would make hundreds of
queries. Every signed-in request reads the session and the user, reads the user's roles
once, and saves the session (idle expiry)."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from referrals.models import Category, ReferralStatus
from tests.factories import ParticipantFactory
from tests.referrals.factories import ReferralFactory, ResourceFactory


def _services_with_referrals(n, practice, clp):
    categories = list(Category.objects.values_list("name", flat=True)[:3])
    for index in range(n):
        resource = ResourceFactory(area=f"Area {index % 4}", categories=categories[: 1 + index % 3])
        participant = ParticipantFactory(practice=practice, clp=clp)
        ReferralFactory(
            resource=resource,
            participant=participant,
            date=date(2024, 1 + index % 12, 1),
            status=ReferralStatus.ENGAGED,
            engaged_on=date(2024, 1 + index % 12, 2),
        )


@pytest.mark.parametrize("rows", [1, 12])
def test_the_directory_makes_the_same_queries_however_many_services(
    as_user, clp_a, practice_a, rows, django_assert_num_queries
):
    _services_with_referrals(rows, practice_a, clp_a)
    c = as_user(clp_a)
    # 4 for the session and roles + the count, the page's ids, its services by id with
    # their referral figures (a prepared query), their categories (one prefetch), the
    # categories and areas for the filters + 2 savepoints around the session save
    with django_assert_num_queries(12):
        response = c.get(reverse("resources:list"), {"q": "Service"})
    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 12])
def test_the_statistics_page_makes_the_same_queries_however_many_referrals(
    as_user, lead, practice_a, clp_a, rows, django_assert_num_queries
):
    _services_with_referrals(rows, practice_a, clp_a)
    c = as_user(lead)
    # 4 for the session and roles + the years on offer, the figures (per period, category
    # and service, and the services' page, in one statement on PostgreSQL; elsewhere the
    # cells, then the services' names and categories), the categories + 2 savepoints
    # around the session save
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 10):
        response = c.get(reverse("referrals:statistics"), {"year": 2024, "period": "month"})
    assert response.context["stats"].totals.referrals == rows
