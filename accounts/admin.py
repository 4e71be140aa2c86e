from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User
from practices.models import Attachment


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["practice"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_programme_lead", "is_superuser"]
    list_filter = ["is_programme_lead", "is_superuser", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Programme", {"fields": ("full_name", "is_programme_lead")}),
    )
    inlines = [AttachmentInline]
