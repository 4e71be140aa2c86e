from django.contrib import admin

from exchange.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: imports are made and applied on the import page, where they are checked.
    A job holds counts and problems only, never the people in its files."""

    list_display = [
        "id",
        "created_by",
        "status",
        "not_queued",
        "rows",
        "problem_count",
        "created_at",
    ]
    list_filter = ["status", "not_queued"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
