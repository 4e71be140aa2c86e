"""The statistics' percentages read as Django localises them, whatever was shown before."""

from django.utils import translation

from referrals.templatetags.referral_display import rate


def test_a_rate_is_the_localised_percentage_or_a_dash():
    assert rate(None) == "—"
    assert rate(42.5) == "42.5%"
    assert rate(0.0) == "0.0%"
    assert rate(100.0) == "100.0%"
    # A whole number and its float are told apart, as Django formats them.
    assert rate(42) == "42%"
    assert rate(42.0) == "42.0%"


def test_a_rate_follows_the_active_language():
    assert rate(12.5) == "12.5%"
    with translation.override("de"):
        assert rate(12.5) == "12,5%"
    assert rate(12.5) == "12.5%"
