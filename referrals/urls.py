"""Three URL groups, each with its own namespace: the directory (/resources/), referrals
(/referrals/) and the organisations' pages (/feedback/, no account needed)."""

from django.urls import path

from referrals.views import feedback as feedback_views
from referrals.views import links, referrals, resources, statistics, status

resource_patterns = [
    path("", resources.resource_list, name="list"),
    path("new/", resources.resource_edit, name="new"),
    path("<int:pk>/", resources.resource_detail, name="detail"),
    path("<int:pk>/edit/", resources.resource_edit, name="edit"),
    path("<int:pk>/active/", resources.resource_active, name="active"),
]

referral_patterns = [
    path("", referrals.referral_list, name="list"),
    path("new/", referrals.referral_new, name="new"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("answers/", referrals.feedback_answers, name="answers"),
    path("<int:pk>/", referrals.referral_detail, name="detail"),
    path("<int:pk>/status/", status.referral_status, name="status"),
    path("<int:pk>/close/", status.referral_close_view, name="close"),
    path("<int:pk>/links/new/", links.link_issue, name="issue_link"),
    path("<int:pk>/links/<int:link_pk>/withdraw/", links.link_revoke, name="revoke_link"),
]

feedback_patterns = [
    path("thanks/", feedback_views.feedback_thanks, name="thanks"),
    path("<str:token>/", feedback_views.feedback_respond, name="respond"),
]

resources_urls = (resource_patterns, "resources")
referrals_urls = (referral_patterns, "referrals")
feedback_urls = (feedback_patterns, "feedback")
