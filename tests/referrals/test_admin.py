"""Administration of the directory and referrals: readable, audited, never deleting history."""

from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.referrals.factories import ResourceFactory


def test_administrators_can_open_every_referrals_admin_page(
    as_user, admin_user, referral_a, issued
):
    c = as_user(admin_user)
    for name in ["category", "communityresource", "referral", "feedbacklink"]:
        assert c.get(reverse(f"admin:referrals_{name}_changelist")).status_code == 200
    assert (
        c.get(reverse("admin:referrals_referral_change", args=[referral_a.pk])).status_code == 200
    )
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="referral", detail="admin"
    ).exists()


def test_a_service_that_was_referred_to_offers_no_delete(as_user, admin_user, resource, referral_a):
    c = as_user(admin_user)
    url = reverse("admin:referrals_communityresource_delete", args=[resource.pk])
    assert c.get(url).status_code == 403
    unused = ResourceFactory()
    assert (
        c.get(reverse("admin:referrals_communityresource_delete", args=[unused.pk])).status_code
        == 200
    )


def test_feedback_links_cannot_be_added_or_changed_in_admin(as_user, admin_user, issued):
    c = as_user(admin_user)
    assert c.get(reverse("admin:referrals_feedbacklink_add")).status_code == 403
    response = c.post(
        reverse("admin:referrals_feedbacklink_change", args=[issued[0].pk]), {"used_at": ""}
    )
    assert response.status_code == 403
