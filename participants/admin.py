from django.contrib import admin

from audit.models import Action
from audit.services import audit_list_view, audit_record
from participants.models import Consultation, Participant


class AuditedAdmin(admin.ModelAdmin):
    """Administrators' reads and writes of participant data are audited like anyone's."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_record(request=request, action=Action.VIEW, obj=obj, detail="admin")
        return response

    def changelist_view(self, request, extra_context=None):
        """A list of participants' records is a read of each one shown: one event naming
        them (list_select_related brings the participant with each row)."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if request.method == "GET" and changelist is not None:
            audit_list_view(
                request=request,
                page=f"admin {self.model._meta.model_name}",
                refs=(getattr(o, "audit_participant_ref", "") for o in changelist.result_list),
            )
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) if change else ""
        action = Action.UPDATE if change else Action.CREATE
        audit_record(request=request, action=action, obj=obj, detail=f"admin {changed}".strip())

    def delete_model(self, request, obj):
        audit_record(request=request, action=Action.DELETE, obj=obj, detail="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(request=request, action=Action.DELETE, obj=obj, detail="admin")
        super().delete_queryset(request, queryset)


@admin.register(Participant)
class ParticipantAdmin(AuditedAdmin):
    list_display = ["ref", "practice", "clp", "status", "referred_on"]
    list_filter = ["status", "practice"]
    search_fields = ["ref"]
    list_select_related = ["practice", "clp"]
    raw_id_fields = ["clp"]


@admin.register(Consultation)
class ConsultationAdmin(AuditedAdmin):
    list_display = ["participant", "date", "clp", "mode", "attended"]
    list_select_related = ["participant", "clp"]
    raw_id_fields = ["participant", "clp"]
