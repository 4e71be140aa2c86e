from django.contrib import admin

from interchange.models import SnomedCode


@admin.register(SnomedCode)
class SnomedCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "preferred_term", "event", "source"]
    search_fields = ["code", "preferred_term"]
