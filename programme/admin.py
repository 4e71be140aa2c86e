from django.contrib import admin

from programme.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """For administrators to see what was sent; invitations are sent and withdrawn from the
    staff pages, which audit it."""

    list_display = ["user", "invited_by", "sent_at", "withdrawn_at", "accepted_at"]
    readonly_fields = ["user", "invited_by", "sent_at", "withdrawn_at", "accepted_at"]

    def has_add_permission(self, request) -> bool:
        return False
