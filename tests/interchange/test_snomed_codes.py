import pytest
from django.core.exceptions import ValidationError

from interchange.models import CodedEvent, SnomedCode

pytestmark = pytest.mark.django_db


def test_the_data_migration_seeds_the_two_national_social_prescribing_codes():
    seeded = {c.event: (c.code, c.preferred_term) for c in SnomedCode.objects.all()}

    assert seeded[CodedEvent.PROGRAMME_REFERRAL] == (
        "871731000000106",
        "Referral to social prescribing service",
    )
    assert seeded[CodedEvent.DECLINED] == ("871711000000103", "Social prescribing declined")
    assert all(c.source for c in SnomedCode.objects.all())


def test_an_administrator_adds_a_code_in_django_admin(as_user, admin_user):
    response = as_user(admin_user).post(
        "/admin/interchange/snomedcode/add/",
        {
            "code": "123456789",
            "preferred_term": "A published term",
            "event": CodedEvent.COMMUNITY_REFERRAL,
            "source": "The standard's page",
        },
    )

    assert response.status_code == 302
    assert SnomedCode.objects.get(event=CodedEvent.COMMUNITY_REFERRAL).code == "123456789"


def test_a_clp_cannot_reach_the_codes_in_admin(as_user, clp_a):
    response = as_user(clp_a).get("/admin/interchange/snomedcode/")

    assert response.status_code == 302


def test_a_code_is_digits_only_and_one_per_event():
    with pytest.raises(ValidationError) as error:
        SnomedCode(
            code="12a", preferred_term="x", event=CodedEvent.DECLINED, source="x"
        ).full_clean()

    assert {"code", "event"} <= set(error.value.message_dict)
