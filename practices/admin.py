from django.contrib import admin

from practices.models import Attachment, Practice, StaffSurveyResponse


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
    list_display = ["practice", "year", "wellbeing_activities", "give_up_within_5y"]
    list_filter = ["year", "practice"]
