"""What the safeguarding background jobs do; their tasks (`safeguarding.tasks`) call these."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from safeguarding.models import Concern, SafeguardingLead


def concern_notify_leads(*, concern_id: int) -> int:
    """Email the practice's safeguarding leads that a concern needs them. The email names
    the practice and carries an opaque link, never the participant. Safe to run twice: the
    concern remembers it was notified, and the row is locked while sending."""
    with transaction.atomic():
        concern = Concern.objects.select_for_update().select_related("practice").get(pk=concern_id)
        if concern.leads_notified_at is not None:
            return 0
        emails = sorted(
            set(
                SafeguardingLead.objects.filter(
                    practice_id=concern.practice_id, user__is_active=True
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        link = settings.LINKS_BASE_URL.rstrip("/") + reverse(
            "safeguarding:detail", args=[concern.public_id]
        )
        for email in emails:
            send_mail(
                subject="Links: a new safeguarding concern needs you",
                message=(
                    f"A safeguarding concern has been raised at {concern.practice.name}, "
                    "where you are a safeguarding lead.\n\n"
                    f"Open it: {link}\n\n"
                    "This email carries no participant details; sign in to see them.\n"
                ),
                from_email=None,
                recipient_list=[email],
            )
        concern.leads_notified_at = timezone.now()
        concern.save(update_fields=["leads_notified_at"])
        return len(emails)
