from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [path("", views.practice_list, name="list")]
