"""Walking every URL of the project: its routes from the resolver, and a path for each
filled with the ids of one participant's records. Used by the audit and access walks."""

import re
from datetime import date, timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from participants.dates import add_months
from participants.followups import followups_run
from participants.models import Assessment, FollowUp
from referrals.models import ReferralStatus
from referrals.services import feedback_link_issue, referral_create
from tests.factories import ConcernFactory, RiskFlagFactory
from tests.referrals.factories import ResourceFactory

CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def participant_records(participant_a, clp_a, practice_a) -> dict:
    """participant_a with one of each record that has a page of its own."""
    today = timezone.localdate()
    baseline = Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=add_months(today - timedelta(days=3), -9),
        recorded_by=clp_a,
    )
    followups_run(today=today)
    resource = ResourceFactory(categories=["Social groups"])
    referral = referral_create(
        user=clp_a,
        participant=participant_a,
        resource=resource,
        on=date(2024, 3, 1),
        status=ReferralStatus.REFERRED,
    )
    link, _ = feedback_link_issue(user=clp_a, referral=referral)
    return {
        "participant": participant_a,
        "assessment": baseline,
        "follow_up": FollowUp.objects.get(participant=participant_a),
        "flag": RiskFlagFactory(participant=participant_a),
        "referral": referral,
        "link": link,
        "resource": resource,
        "concern": ConcernFactory(participant=participant_a),
        "practice": practice_a,
        "clp": clp_a,
    }


def fill(route: str, r: dict) -> str | None:
    def value(match: re.Match) -> str:
        name, kind = match.group("name"), match.group("kind")
        if name == "ref":
            return r["participant"].ref
        if name == "public_id":
            return str(r["concern"].public_id)
        if name == "link_pk":
            return str(r["link"].pk)
        if kind != "int":
            return "unknown"
        for prefix, key in (
            ("participants/<str:ref>/flags/", "flag"),
            ("participants/<str:ref>/assessments/", "assessment"),
            ("followups/", "follow_up"),
            ("referrals/", "referral"),
            ("resources/", "resource"),
            ("practices/", "practice"),
            ("programme/staff/", "clp"),
        ):
            if route.startswith(prefix):
                return str(r[key].pk)
        return "1"

    if route.startswith("admin/"):
        return None  # the admin's pages that show participants: _admin_pages below
    return "/" + CONVERTER.sub(value, route)
