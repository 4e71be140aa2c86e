"""A URLconf with the home page elsewhere, for tests/practices/test_navigation.py."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="home")]
