"""factory_boy factories for the directory and referrals (the shared ones are in
tests/factories.py)."""

from datetime import date

import factory

from referrals.models import Category, CommunityResource, Referral, ReferralStatus
from tests.factories import ParticipantFactory, UserFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityResource
        skip_postgeneration_save = True

    organisation = factory.Sequence(lambda n: f"Community Organisation {n}")
    name = factory.Sequence(lambda n: f"Service {n}")
    description = "A friendly group that meets every week."
    area = "Springburn"
    postcode = "G21 1AA"
    phone = "0141 496 0000"
    how_to_refer = "Phone the coordinator."
    created_by = factory.SubFactory(UserFactory, is_programme_lead=True)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if not create:
            return
        names = extracted if extracted is not None else ["Physical activity"]
        obj.categories.set(Category.objects.filter(name__in=names))


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral saved as it stands, without the lifecycle: tests of the rules use the
    services instead."""

    class Meta:
        model = Referral

    participant = factory.SubFactory(ParticipantFactory)
    resource = factory.SubFactory(ResourceFactory)
    clp = factory.LazyAttribute(lambda r: r.participant.clp)
    date = date(2024, 3, 1)
    status = ReferralStatus.REFERRED
    status_on = factory.LazyAttribute(lambda r: r.date)
    referred_on = factory.LazyAttribute(
        lambda r: r.date if r.status != ReferralStatus.SUGGESTED else None
    )
    note = "Nervous about going alone"
