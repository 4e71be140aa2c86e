"""Demo community resources and referrals for the synthetic programme in devdata.demo.

Every organisation here is invented. Building it twice changes nothing: services are found
by organisation and name, and a participant who already has referrals is left alone. Each
participant's referrals come from their own random generator (seeded by their CHI number),
so adding or skipping one participant never changes another's.
"""

from __future__ import annotations

import random
import re
import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from devdata.builders import feedback_answer, referral_steps
from participants.models import Participant
from referrals import links
from referrals.models import (
    Category,
    CommunityResource,
    FeedbackLink,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from referrals.services import feedback_unread_recount

RESOURCES = [
    # organisation, service, area, postcode, categories, description
    (
        "Springburn Strollers",
        "Tuesday walking group",
        "Springburn",
        "G21 1AA",
        ["Physical activity", "Social groups"],
        "A gentle hour's walk round Springburn Park, then tea. Walk leaders are trained in "
        "first aid; nobody is left behind.",
    ),
    (
        "Possil Community Football",
        "Walking football",
        "Possilpark",
        "G22 5DN",
        ["Physical activity"],
        "Walking football for over-40s on Thursday mornings. Boots not needed.",
    ),
    (
        "Northside Wellbeing Hub",
        "Stress control classes",
        "Springburn",
        "G21 2BB",
        ["Mental wellbeing"],
        "A six-week course on managing stress, anxiety and low mood, in a group or online.",
    ),
    (
        "Calton Talking Space",
        "Peer support for low mood",
        "Calton",
        "G40 1RS",
        ["Mental wellbeing", "Social groups"],
        "A weekly peer support group for people living with depression or anxiety.",
    ),
    (
        "Eastend Money Matters",
        "Debt and benefits advice",
        "Dennistoun",
        "G31 1GH",
        ["Money advice"],
        "Free, confidential advice on debt, benefits, energy bills and budgeting; "
        "home visits for people who cannot get out.",
    ),
    (
        "Govan Citizens' Rights",
        "Welfare rights appeals",
        "Govan",
        "G51 2WX",
        ["Money advice", "Legal"],
        "Help with benefit decisions, mandatory reconsiderations and tribunals.",
    ),
    (
        "Glasgow Tenants Together",
        "Housing advice line",
        "City centre",
        "G40 4TU",
        ["Housing", "Legal"],
        "Advice on repairs, damp, rent arrears and eviction; can speak to landlords for you.",
    ),
    (
        "Shettleston Housing Support",
        "Tenancy sustainment",
        "Shettleston",
        "G31 3JT",
        ["Housing"],
        "A support worker to help settle into and keep a tenancy.",
    ),
    (
        "North Glasgow Learning Centre",
        "Back to work and digital skills",
        "Possilpark",
        "G22 6EF",
        ["Employment and learning"],
        "CVs, job searching, using a smartphone and getting online, at your own pace.",
    ),
    (
        "Easterhouse Adult Learning",
        "Literacy and ESOL classes",
        "Easterhouse",
        "G34 9PQ",
        ["Employment and learning"],
        "Reading, writing and English classes for adults, with a crèche.",
    ),
    (
        "Dennistoun Community Café",
        "Tuesday lunch club",
        "Dennistoun",
        "G31 1GH",
        ["Social groups", "Food"],
        "A hot two-course lunch for £2 and good company, every Tuesday.",
    ),
    (
        "Partick Men's Shed",
        "Men's Shed",
        "Partick",
        "G11 6DB",
        ["Social groups", "Volunteering"],
        "A workshop where men meet, make and mend things, and talk.",
    ),
    (
        "Glasgow East Carers",
        "Carers' support and short breaks",
        "Shettleston",
        "G31 3JT",
        ["Carers"],
        "Information, a carer's support plan, peer groups and help to get a short break.",
    ),
    (
        "Young Carers North",
        "Young adult carers group",
        "Springburn",
        "G21 2BB",
        ["Carers", "Social groups"],
        "For carers aged 16 to 25: a group, days out and one-to-one support.",
    ),
    (
        "Possil Pantry",
        "Community food pantry",
        "Possilpark",
        "G22 5DN",
        ["Food"],
        "A membership pantry: a bag of shopping for £3.50 a week, with fresh fruit and veg.",
    ),
    (
        "Recovery Connect Glasgow",
        "Recovery café",
        "City centre",
        "G40 1RS",
        ["Addiction recovery", "Social groups"],
        "A drop-in café run by people in recovery from drink and drugs, with mutual aid "
        "meetings through the week.",
    ),
    (
        "Calton Arts Collective",
        "Creative wellbeing workshops",
        "Calton",
        "G40 4TU",
        ["Arts and creativity", "Mental wellbeing"],
        "Painting, printmaking and creative writing for people who have never tried before.",
    ),
    (
        "Govan Community Choir",
        "Sing for health",
        "Govan",
        "G51 4YZ",
        ["Arts and creativity", "Social groups"],
        "A friendly choir with no auditions; sessions help with breathing and mood.",
    ),
    (
        "Volunteer Glasgow North",
        "Volunteering matching",
        "Springburn",
        "G21 1AA",
        ["Volunteering", "Employment and learning"],
        "Finds a volunteering role that fits your interests, time and confidence.",
    ),
    (
        "West End Law Clinic",
        "Free legal advice clinic",
        "Hillhead",
        "G12 8AB",
        ["Legal"],
        "Volunteer solicitors advise on family, consumer and employment problems.",
    ),
    (
        "Glasgow Cycle Hub",
        "Learn to ride and bike loans",
        "Govan",
        "G51 2WX",
        ["Physical activity", "Other"],
        "Cycling lessons for adults and bikes to borrow for a month.",
    ),
]

NOTES = [
    "Keen to try but nervous about going alone; would like a friendly welcome.",
    "Prefers mornings. Best contacted by text.",
    "Has been struggling for a while; knows you are expecting a call.",
    "Would like to bring a friend to the first session.",
    "",
]
COMMENTS = [
    "Came every week and is now helping set up.",
    "Came once, said it was not for them right now.",
    "Would have been better referred to our Thursday group.",
    "",
]

# How far a demo referral got: (weight, final status, steps on the way).
PATHS = [
    (3, ReferralStatus.SUGGESTED, [ReferralStatus.SUGGESTED]),
    (2, ReferralStatus.REFERRED, [ReferralStatus.REFERRED]),
    (2, ReferralStatus.ATTENDED, [ReferralStatus.REFERRED, ReferralStatus.ATTENDED]),
    (
        4,
        ReferralStatus.ENGAGED,
        [ReferralStatus.SUGGESTED, ReferralStatus.REFERRED, ReferralStatus.ENGAGED],
    ),
    (1, ReferralStatus.DECLINED, [ReferralStatus.SUGGESTED, ReferralStatus.DECLINED]),
    (1, ReferralStatus.DID_NOT_ATTEND, [ReferralStatus.REFERRED, ReferralStatus.DID_NOT_ATTEND]),
    (
        1,
        ReferralStatus.CLOSED,
        [ReferralStatus.REFERRED, ReferralStatus.ENGAGED, ReferralStatus.CLOSED],
    ),
]


def _resources(created_by: User) -> list[CommunityResource]:
    categories = {c.name: c for c in Category.objects.all()}
    out: list[CommunityResource] = []
    for organisation, name, area, postcode, category_names, description in RESOURCES:
        resource, created = CommunityResource.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "description": description,
                "area": area,
                "postcode": postcode,
                "address": f"Community Hall, {area}, Glasgow",
                "phone": "0141 496 0" + str(100 + len(out)),
                "email": f"hello@{re.sub(r'[^a-z]', '', organisation.lower())}.example",
                "how_to_refer": "Phone or email with the person's first name and a contact "
                "number, or send the person along to a session with your note.",
                "opening_notes": "Monday to Friday, 10am to 4pm.",
                "created_by": created_by,
            },
        )
        if created:
            resource.categories.set([categories[n] for n in category_names if n in categories])
        out.append(resource)
    return out


def _referral_for(
    participant: Participant, resource: CommunityResource, rng: random.Random, on: date
) -> tuple[Referral, list[ReferralStatusChange], FeedbackLink | None]:
    today = participant.closed_on or timezone.localdate()
    weights = [w for w, *_ in PATHS]
    _, final, steps = rng.choices(PATHS, weights=weights)[0]
    referral = Referral(
        participant=participant,
        resource=resource,
        clp=participant.clp,
        date=on,
        need=rng.choice([pn.need for pn in participant.needs.all()] or [None]),
        note=rng.choice(NOTES),
        status=final,
        status_on=on,
    )
    changes = referral_steps(referral, steps, rng, until=today, by_organisation=0.6)
    link = None
    organisation_answered = any(c.by_organisation for c in changes) or (
        final in (ReferralStatus.ATTENDED, ReferralStatus.DID_NOT_ATTEND) and rng.random() < 0.5
    )
    if organisation_answered:
        answered_at = datetime.combine(referral.status_on, time(rng.randrange(9, 17)))
        answered = min(timezone.now(), timezone.make_aware(answered_at))
        feedback_answer(referral, rng, at=answered)
        referral.feedback_comment = rng.choice(COMMENTS)
        # Answers of the last fortnight are still new to their CLP.
        if answered < timezone.now() - timedelta(days=14):
            referral.feedback_read_at = answered + timedelta(days=1)
        # The link they used: a real nonce's hash, the nonce itself thrown away.
        issued = answered - timedelta(days=rng.randrange(1, 20))
        link = FeedbackLink(
            referral=referral,
            nonce_hash=links.hash_nonce(secrets.token_urlsafe(links.NONCE_BYTES)),
            issued_by=participant.clp,
            issued_at=issued,
            expires_at=issued + links.LIFETIME,
            used_at=referral.feedback_at,
            sent_to=resource.email if rng.random() < 0.7 else "",
        )
    return referral, changes, link


@transaction.atomic
def build_referrals_demo() -> int:
    """Add the demo directory and referrals for the demo participants; how many referrals
    this run added (none the second time)."""
    lead = (
        User.objects.filter(is_programme_lead=True).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if lead is None:
        return 0
    resources = _resources(lead)
    today = timezone.localdate()
    added = 0
    participants = (
        Participant.objects.filter(referrals__isnull=True)
        .select_related("clp")
        .prefetch_related("needs__need")
        .order_by("chi")
    )
    for participant in participants:
        rng = random.Random(f"referrals-{participant.chi}")
        if rng.random() < 0.25:
            continue
        chosen = rng.sample(resources, k=rng.choice([1, 1, 2, 2, 3]))
        for resource in chosen:
            last = participant.closed_on or today
            span = max(1, (last - participant.referred_on).days - 7)
            on = participant.referred_on + timedelta(days=rng.randrange(0, span))
            referral, changes, link = _referral_for(participant, resource, rng, on)
            referral.save()
            ReferralStatusChange.objects.bulk_create(changes)
            if link is not None:
                link.save()
            added += 1
    for clp_id in set(Referral.objects.values_list("clp_id", flat=True)):
        feedback_unread_recount(clp_id)
    return added
