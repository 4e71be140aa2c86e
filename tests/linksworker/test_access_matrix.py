"""Every URL of the project, filled with the ids of practice A's participant and each of
their records, opened by everyone who has no business with that participant: the other
practice's CLP, a practice manager of the other practice, the programme lead (aggregates
only) and a signed-in member of staff with no role. None of them may see who the
participant is, and every page about one of those records answers 403 or 404."""

import pytest
from django.test import Client

from tests.factories import UserFactory, manager_at
from tests.url_walk import fill, participant_records, routes

RECORD_PARAMETERS = ("<str:ref>", "<int:pk>", "<uuid:public_id>", "<int:link_pk>")
# Pages whose id is not a participant's record: the directory's services, practices and
# staff (the lead's own screens), the list of needs,, import jobs and reports, tested in their apps.
NOT_PARTICIPANT_RECORDS = ("needs/", "resources/", "practices/", "programme/", "data/", "reports/")


@pytest.fixture
def records(participant_a, clp_a, practice_a):
    # A surname no generated staff name has: staff names (random) are shown on every page,
    # and one that happened to contain the participant's would read as a leak.
    participant_a.last_name = "Quixley-Zanetti"
    participant_a.save(update_fields=["last_name"])
    return participant_records(participant_a, clp_a, practice_a)


@pytest.fixture
def outsiders(clp_b, practice_b, lead):
    return {
        "the other practice's CLP": clp_b,
        "the other practice's manager": manager_at(practice_b, username="manager_b"),
        "the programme lead": lead,
        "staff with no role": UserFactory(username="nobody"),
    }


def test_nobody_outside_the_practice_sees_a_participant_or_their_records(records, outsiders):
    participant = records["participant"]
    secrets = [participant.ref, participant.last_name, participant.chi]
    leaks, opened = [], []
    for who, user in outsiders.items():
        client = Client()
        client.force_login(user)
        for route in routes():
            path = fill(route, records)
            if path is None:
                continue
            response = client.get(path)
            body = response.content.decode(errors="replace")
            if any(secret in body for secret in secrets):
                leaks.append(f"{who}: {path} ({response.status_code})")
            is_record = any(p in route for p in RECORD_PARAMETERS) and not route.startswith(
                NOT_PARTICIPANT_RECORDS
            )
            if is_record and response.status_code not in (403, 404, 405):
                opened.append(f"{who}: {path} ({response.status_code})")
    assert leaks == []
    assert opened == []
