from referrals.models.feedback import FeedbackLink
from referrals.models.figure import ReferralFigure, ReferralQuarterFigure
from referrals.models.referral import Referral, ReferralStatus, ReferralStatusChange
from referrals.models.resource import Category, CommunityResource

__all__ = [
    "Category",
    "CommunityResource",
    "FeedbackLink",
    "Referral",
    "ReferralFigure",
    "ReferralQuarterFigure",
    "ReferralStatus",
    "ReferralStatusChange",
]
