"""factory_boy factories for every model the tests build. One place, shared by all tests."""

import random
from datetime import date

import factory
from django.utils import timezone

from accounts.models import User
from participants.chi import make_chi
from participants.models import (
    Consultation,
    ConsultationMode,
    FlagKind,
    Participant,
    ReferredBy,
    RiskFlag,
    Sex,
)
from practices.models import Attachment, HealthBoard, Practice, StaffRole
from safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernCategory,
    InitialAction,
    SafeguardingLead,
)

TEST_PASSWORD = "correct-Horse-battery-9"


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    code = factory.Sequence(lambda n: f"{10000 + n}")
    health_board = HealthBoard.GREATER_GLASGOW_CLYDE
    deep_end = True
    list_size = 5000
    joined_on = date(2017, 4, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = StaffRole.CLP
    started_on = date(2017, 4, 1)


def clp_at(*practices: Practice, **kwargs) -> User:
    user = UserFactory(**kwargs)
    for practice in practices:
        AttachmentFactory(user=user, practice=practice, role=StaffRole.CLP)
    return user


def manager_at(practice: Practice, **kwargs) -> User:
    user = UserFactory(**kwargs)
    AttachmentFactory(user=user, practice=practice, role=StaffRole.PRACTICE_MANAGER)
    return user


_chi_rng = random.Random(7)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    ref = factory.Sequence(lambda n: f"P{5000 + n}")
    practice = factory.SubFactory(PracticeFactory)
    clp = factory.LazyAttribute(lambda p: clp_at(p.practice))
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Sequence(lambda n: date(1960, 1, 1) + timezone.timedelta(days=n))
    sex = Sex.FEMALE
    chi = factory.LazyAttribute(
        lambda p: make_chi(date_of_birth=p.date_of_birth, sex=p.sex, rng=_chi_rng)
    )
    postcode = "G21 1AA"
    referred_on = date(2024, 1, 15)
    referred_by = ReferredBy.GP
    referral_reason = "Money worries"
    # Most people have agreed to share by the time a CLP refers them; tests of a person
    # without recorded consent say so.
    consent_given = True
    consent_on = factory.LazyAttribute(lambda p: p.referred_on)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    participant = factory.SubFactory(ParticipantFactory)
    clp = factory.LazyAttribute(lambda c: c.participant.clp)
    date = date(2024, 2, 1)
    mode = ConsultationMode.PRACTICE
    duration_minutes = factory.LazyAttribute(lambda c: 30 if c.attended else 0)
    attended = True
    goals = "Contact money advice"
    notes = "Confidential note text"


class RiskFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskFlag

    participant = factory.SubFactory(ParticipantFactory)
    kind = FlagKind.DO_NOT_VISIT_ALONE
    reason = "Dog in the house; partner threatening on last visit"
    set_by = factory.LazyAttribute(lambda f: f.participant.clp)


class SafeguardingLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafeguardingLead

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    participant = factory.SubFactory(ParticipantFactory)
    practice = factory.LazyAttribute(lambda c: c.participant.practice)
    raised_by = factory.LazyAttribute(lambda c: c.participant.clp)
    about = ConcernAbout.ADULT
    category = ConcernCategory.FINANCIAL
    what_happened = "Secret concern text: son takes her pension"
    action_taken = InitialAction.GP
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=2))
