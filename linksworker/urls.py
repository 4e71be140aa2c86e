from django.contrib import admin
from django.urls import include, path

from linksworker import views
from referrals import urls as referral_urls
from reports import dashboard_views

admin.site.site_header = "Links administration"
admin.site.site_title = "Links"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("participants/", include("participants.urls")),
    path(
        "practices/",
        include(([path("", dashboard_views.practice_list, name="list")], "practices")),
    ),
    path("needs/", include("participants.need_urls")),
    path("resources/", include(referral_urls.resources_urls)),
    path("referrals/", include(referral_urls.referrals_urls)),
    path("feedback/", include(referral_urls.feedback_urls)),
    path("followups/", include("participants.followup_urls")),
    path("safeguarding/", include("safeguarding.urls")),
    path("data/", include("exchange.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
