from django.conf import settings
from django.db import models


class Category(models.Model):
    """A kind of community resource, from the programme's managed list (seeded by a data
    migration; programme leads extend it in administration)."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive categories stay on resources.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class CommunityResource(models.Model):
    """A service in the community that a CLP can suggest (the ALISS idea, kept inside the
    programme). Never deleted once referred to: it is made inactive instead."""

    organisation = models.CharField(max_length=200)
    name = models.CharField("service name", max_length=200)
    description = models.TextField()
    categories = models.ManyToManyField(Category, related_name="resources")
    area = models.CharField("area or neighbourhood", max_length=100)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    how_to_refer = models.TextField("how to refer")
    opening_notes = models.TextField("opening times and notes", blank=True)
    active = models.BooleanField(
        default=True, help_text="Inactive services stay on old referrals but take no new ones."
    )
    external_id = models.CharField(
        "ID in an Open Referral feed",
        max_length=100,
        blank=True,
        help_text="The service's id in the Open Referral UK feed it was imported from; "
        "imports match on it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "name"]
        indexes = [models.Index(fields=["active", "area"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="resource_unique_service_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="resource_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.name}"
