from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, and for administrators only: the trail is evidence."""

    list_display = ["at", "username", "action", "object_type", "participant_ref", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "participant_ref", "object_id"]
    date_hierarchy = "at"
    list_select_related = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
