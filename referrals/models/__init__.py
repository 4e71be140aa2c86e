from referrals.models.feedback import FeedbackLink
from referrals.models.figure import ReferralFigure
from referrals.models.referral import Referral, ReferralStatus, ReferralStatusChange
from referrals.models.resource import Category, CommunityResource

__all__ = [
    "Category",
    "CommunityResource",
    "FeedbackLink",
    "Referral",
    "ReferralFigure",
    "ReferralStatus",
    "ReferralStatusChange",
]
