from django.contrib import admin
from django.db import models

from participants.admin import AuditedAdmin
from referrals.models import Category, CommunityResource, FeedbackLink, Referral


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]

    def has_delete_permission(self, request, obj=None):
        # Categories are made inactive, never deleted: services and statistics use them.
        return False


@admin.register(CommunityResource)
class CommunityResourceAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "area", "active"]
    list_filter = ["active", "categories"]
    search_fields = ["name", "organisation", "area"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["created_by"]
    # As the directory's own form: an address typed without a scheme is read as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        # A service that has been referred to is deactivated instead (the FK also protects).
        return obj is not None and not obj.referrals.exists()


@admin.register(Referral)
class ReferralAdmin(AuditedAdmin):
    list_display = ["participant", "resource", "date", "status", "clp"]
    list_filter = ["status"]
    search_fields = ["participant__ref"]
    list_select_related = ["participant", "resource", "clp"]
    raw_id_fields = ["participant", "resource", "clp", "need"]


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(admin.ModelAdmin):
    """Read-only: links are issued and withdrawn by CLPs, and only their hashes are here."""

    list_display = ["referral", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at"]
    list_select_related = ["referral__participant", "referral__resource", "issued_by"]
    readonly_fields = [f.name for f in FeedbackLink._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
