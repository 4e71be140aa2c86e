from django.contrib import admin
from django.urls import include, path

from linksworker import views

admin.site.site_header = "Links administration"
admin.site.site_title = "Links"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("participants/", include("participants.urls")),
    path("practices/", include("practices.urls")),
    path("needs/", include("participants.need_urls")),
    path("followups/", include("participants.followup_urls")),
    path("admin/", admin.site.urls),
]
