from django.urls import path

from reports import dashboard_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/cancel/", views.report_cancel, name="cancel"),
]

urlpatterns += [
    path("practice/", dashboard_views.practice_view, name="practice_dashboard"),
    path("programme/", dashboard_views.programme_view, name="programme_dashboard"),
]
