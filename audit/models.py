from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """The audit trail is never changed or shortened once written."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")


class Action(models.TextChoices):
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Append-only: the model refuses
    updates and deletes, and database triggers (see the migration) refuse them too."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    participant_ref = models.CharField(max_length=20, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
