from django.urls import path

from safeguarding import views

app_name = "safeguarding"

urlpatterns = [
    path("", views.concerns, name="list"),
    path("participants/<str:ref>/new/", views.new_concern, name="new"),
    path("<uuid:public_id>/", views.concern_detail, name="detail"),
    path("<uuid:public_id>/actions/", views.add_action, name="add_action"),
    path("<uuid:public_id>/close/", views.close, name="close"),
]
