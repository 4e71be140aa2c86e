"""Links for community organisations: signed, expiring, single use, revocable.

A link carries a random nonce signed with a TimestampSigner under its own salt, so a link
made for anything else in Django (or edited by hand) never verifies, and the signer's
timestamp gives the 60-day expiry without a database read. The database keeps only a
SHA-256 hash of the nonce: whoever reads the database cannot rebuild a working link, and
nothing in the link (no sequential id) says which referral it belongs to.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.utils import timezone

from referrals.models import FeedbackLink

SALT = "referrals.feedback-link"
LIFETIME = timedelta(days=60)
NONCE_BYTES = 32


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def hash_nonce(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh link token and the hash of its nonce, which is all that is stored."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return _signer().sign(nonce), hash_nonce(nonce)


@dataclass(frozen=True)
class LinkCheck:
    state: str  # one of FeedbackLink.State, or INVALID
    link: FeedbackLink | None = None

    @property
    def usable(self) -> bool:
        return self.state == FeedbackLink.State.ACTIVE


INVALID = "invalid"


def check_token(token: str) -> LinkCheck:
    """What a token from a URL opens: a usable link, or why not. A token that fails its
    signature (tampered, another salt, truncated) is simply invalid and reveals nothing."""
    try:
        nonce = _signer().unsign(token, max_age=LIFETIME)
    except signing.SignatureExpired:
        return LinkCheck(FeedbackLink.State.EXPIRED)
    except signing.BadSignature:
        return LinkCheck(INVALID)
    link = (
        FeedbackLink.objects.select_related(
            "referral__participant", "referral__resource", "referral__clp"
        )
        .filter(nonce_hash=hash_nonce(nonce))
        .first()
    )
    if link is None:
        return LinkCheck(INVALID)
    return LinkCheck(link.state_at(timezone.now()), link)
