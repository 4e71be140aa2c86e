from django.contrib import admin
from django.urls import include, path

from interchange import urls as interchange_urls
from linksworker import views
from programme import urls as programme_urls
from referrals import urls as referral_urls

admin.site.site_header = "Links administration"
admin.site.site_title = "Links"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("accounts/password/", include(programme_urls.password_urls)),
    path("participants/", include("participants.urls")),
    path("practices/", include(programme_urls.practice_urls)),
    path("programme/", include("programme.urls")),
    path("survey/", include(programme_urls.survey_urls)),
    path("needs/", include("participants.need_urls")),
    path("resources/", include(referral_urls.resources_urls)),
    path("referrals/", include(referral_urls.referrals_urls)),
    path("feedback/", include(referral_urls.feedback_urls)),
    path("followups/", include("participants.followup_urls")),
    path("safeguarding/", include("safeguarding.urls")),
    path("data/", include("exchange.urls")),
    path("reports/", include("reports.urls")),
    path(
        "records/",
        include((interchange_urls.participant_urls, "interchange"), namespace="interchange"),
    ),
    path("api/oruk/", include((interchange_urls.oruk_urls, "oruk"), namespace="oruk")),
    path("admin/", admin.site.urls),
]
