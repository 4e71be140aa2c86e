from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.upload, name="import"),
    path("import/<int:pk>/", views.job_detail, name="import_job"),
    path("import/<int:pk>/status.json", views.job_status, name="import_status"),
    path("import/<int:pk>/apply/", views.job_apply, name="import_apply"),
    path("import/<int:pk>/discard/", views.job_discard, name="import_discard"),
    path("import/<int:pk>/requeue/", views.job_requeue, name="import_requeue"),
    path("import/<int:pk>/cancel/", views.job_cancel, name="import_cancel"),
    path("export/", views.export, name="export"),
]
