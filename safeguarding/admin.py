from django.contrib import admin

from audit.models import Action
from audit.services import audit_record
from safeguarding.models import Concern, ConcernAction, SafeguardingLead


@admin.register(SafeguardingLead)
class SafeguardingLeadAdmin(admin.ModelAdmin):
    """Administrators designate each practice's safeguarding leads here."""

    list_display = ["practice", "user", "added_at"]
    list_filter = ["practice"]
    # A plain list of staff, not an autocomplete: Django's autocomplete widget fails with a
    # server error when it redraws a form posted with a non-number in place of the user.
    search_fields = ["user__username", "user__full_name", "practice__name"]


class ConcernActionInline(admin.TabularInline):
    model = ConcernAction
    extra = 0
    can_delete = False
    readonly_fields = ["note", "by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    """Read-only: concerns are raised, acted on and closed in the app, where it is audited
    the same way for everyone."""

    list_display = ["public_id", "practice", "category", "status", "created_at"]
    list_filter = ["status", "category", "practice"]
    inlines = [ConcernActionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Concern._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_record(request=request, action=Action.VIEW, obj=obj, detail="admin")
        return response
