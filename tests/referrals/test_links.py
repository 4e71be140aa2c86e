"""The organisation's link: signed over a random nonce, only a hash stored, 60 days, once,
revocable. Time is moved by signing with a timestamp in the past, never by sleeping."""

import hashlib
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from referrals import links
from referrals.models import FeedbackLink
from referrals.services import LinkUnavailable, feedback_link_revoke, feedback_record


class SignerAt(signing.TimestampSigner):
    """A signer whose clock reads `days_ago` days in the past."""

    def __init__(self, *, days_ago: float, salt: str = links.SALT):
        super().__init__(salt=salt)
        self.days_ago = days_ago

    def timestamp(self):
        return signing.b62_encode(int(time.time() - self.days_ago * 86400))


def _link_with_nonce(referral, user, nonce="a-known-nonce-for-testing-only-0123456789ab"):
    now = timezone.now()
    return FeedbackLink.objects.create(
        referral=referral,
        nonce_hash=links.hash_nonce(nonce),
        issued_by=user,
        issued_at=now,
        expires_at=now + links.LIFETIME,
    ), nonce


def _answer(link):
    return feedback_record(link=link, attended=True, engaged=True, appropriate=True, relevant=True)


def _change_one_character(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_a_fresh_link_opens_its_referral(issued, referral_a):
    link, token = issued
    check = links.check_token(token)
    assert check.usable
    assert check.link == link and check.link.referral == referral_a


def test_only_a_hash_of_the_nonce_is_stored_and_the_link_carries_no_id(issued):
    link, token = issued
    nonce, _stamp, _signature = token.split(":")
    assert len(nonce) >= 43  # 32 random bytes
    assert link.nonce_hash == hashlib.sha256(nonce.encode()).hexdigest()
    stored = [str(v) for v in FeedbackLink.objects.values_list(flat=False).get(pk=link.pk)]
    assert not any(nonce in value or token in value for value in stored)


def test_two_links_never_share_a_nonce(clp_a, referral_a):
    tokens = {links.new_token()[0].split(":")[0] for _ in range(50)}
    assert len(tokens) == 50


def test_a_link_signed_61_days_ago_has_expired(clp_a, referral_a):
    _, nonce = _link_with_nonce(referral_a, clp_a)
    token = SignerAt(days_ago=61).sign(nonce)
    assert links.check_token(token).state == FeedbackLink.State.EXPIRED


def test_a_link_signed_59_days_ago_still_works(clp_a, referral_a):
    _, nonce = _link_with_nonce(referral_a, clp_a)
    token = SignerAt(days_ago=59).sign(nonce)
    assert links.check_token(token).usable


def test_the_stored_expiry_is_checked_too(issued):
    link, token = issued
    FeedbackLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert links.check_token(token).state == FeedbackLink.State.EXPIRED


def test_a_link_works_once(issued):
    link, token = issued
    _answer(link)
    assert links.check_token(token).state == FeedbackLink.State.USED
    with pytest.raises(LinkUnavailable):
        _answer(link)


@pytest.mark.parametrize("part", ["nonce", "timestamp", "signature"])
def test_changing_one_character_of_the_link_breaks_it(issued, part):
    _, token = issued
    nonce, _stamp, _signature = token.split(":")
    index = {"nonce": 5, "timestamp": len(nonce) + 2, "signature": len(token) - 3}[part]
    tampered = _change_one_character(token, index)
    assert tampered != token
    assert links.check_token(tampered).state == links.INVALID


def test_a_truncated_link_is_invalid(issued):
    _, token = issued
    assert links.check_token(token[:-1]).state == links.INVALID
    assert links.check_token("").state == links.INVALID


def test_a_withdrawn_link_no_longer_works(clp_a, issued):
    link, token = issued
    feedback_link_revoke(user=clp_a, link=link)
    assert links.check_token(token).state == FeedbackLink.State.REVOKED
    with pytest.raises(LinkUnavailable):
        _answer(link)


def test_a_nonce_signed_with_another_salt_is_refused(clp_a, referral_a):
    _, nonce = _link_with_nonce(referral_a, clp_a)
    assert links.check_token(signing.TimestampSigner(salt="something-else").sign(nonce)).state == (
        links.INVALID
    )
    assert links.check_token(signing.TimestampSigner().sign(nonce)).state == links.INVALID
    # The same nonce under our salt works: it was the salt that made the difference.
    assert links.check_token(signing.TimestampSigner(salt=links.SALT).sign(nonce)).usable


def test_a_correctly_signed_nonce_that_was_never_issued_is_invalid(db):
    assert links.check_token(signing.TimestampSigner(salt=links.SALT).sign("made-up")).state == (
        links.INVALID
    )
