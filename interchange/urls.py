from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from interchange import views

participant_urls = [
    path("<str:ref>/fhir.json", views.participant_bundle, name="bundle"),
    path("<str:ref>/letter.pdf", views.participant_letter, name="letter"),
]

# Public and read only; csrf_exempt so that a stray POST is answered 405, not 403.
oruk_urls = [
    path("", csrf_exempt(views.oruk_root), name="root"),
    path("services", csrf_exempt(views.oruk_services), name="services"),
    path("services/<str:service_id>", csrf_exempt(views.oruk_service), name="service"),
]
