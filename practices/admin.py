from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User
from practices.models import Attachment, Practice, StaffSurveyResponse, StaffSurveyRound


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "health_board", "deep_end", "list_size", "joined_on", "left_on"]
    list_filter = ["health_board", "deep_end"]
    search_fields = ["name", "code"]
    inlines = [AttachmentInline]


@admin.register(StaffSurveyResponse)
class StaffSurveyResponseAdmin(admin.ModelAdmin):
    list_display = [
        "practice",
        "year",
        "round",
        "on_paper",
        "wellbeing_activities",
        "give_up_within_5y",
    ]
    list_filter = ["year", "on_paper", "practice"]


@admin.register(StaffSurveyRound)
class StaffSurveyRoundAdmin(admin.ModelAdmin):
    list_display = ["year", "opened_on", "closes_on", "closed_at"]


class StaffAttachmentInline(admin.TabularInline):
    model = Attachment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["practice"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff accounts with their practice attachments. Registered here, beside the
    attachments, so that `accounts` stays at the bottom and knows no practice."""

    list_display = ["username", "full_name", "email", "is_programme_lead", "is_superuser"]
    list_filter = ["is_programme_lead", "is_superuser", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Programme", {"fields": ("full_name", "is_programme_lead")}),
    )
    inlines = [StaffAttachmentInline]
