from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A member of staff. What they may see follows from their practice attachments
    (CLP or practice manager) and the programme-wide flags below."""

    full_name = models.CharField(max_length=150, blank=True)
    is_programme_lead = models.BooleanField(
        "programme lead",
        default=False,
        help_text="Programme-wide: manages practices, accounts and the resource directory; "
        "sees aggregates only.",
    )

    # How many organisations' answers to this CLP's referrals they have not yet opened.
    # Kept here, recounted whenever an answer arrives or is read (referrals.services), so
    # the navigation shows it on every page without a query of its own.
    unread_feedback = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username
