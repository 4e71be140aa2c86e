from django.contrib import admin

from reports.models import AnnualReport


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    """Read-only: reports are requested, retried and cancelled on the reports page. A report
    holds aggregates only."""

    list_display = ["id", "year", "status", "not_queued", "requested_by", "requested_at"]
    list_filter = ["status", "not_queued"]
    readonly_fields = [field.name for field in AnnualReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
