"""The directory and referral services, called directly: the rules, whoever calls them."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from audit.models import Action, AuditEvent
from participants.models import CaseStatus, Need
from referrals.models import (
    Category,
    CommunityResource,
    FeedbackLink,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from referrals.services import (
    LinkUnavailable,
    feedback_link_issue,
    feedback_link_revoke,
    feedback_record,
    referral_close,
    referral_create,
    referral_set_status,
    resource_save,
    resource_set_active,
)
from tests.referrals.factories import ReferralFactory, ResourceFactory

S = ReferralStatus


def _messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict.get(field, []))


def _refer(user, participant, resource, **kwargs):
    kwargs.setdefault("on", date(2024, 3, 1))
    return referral_create(user=user, participant=participant, resource=resource, **kwargs)


def _answer(link, **answers):
    values = {"attended": True, "engaged": True, "appropriate": True, "relevant": True}
    values.update(answers)
    return feedback_record(link=link, **values)


# Making a referral


def test_a_referral_starts_with_its_first_status_dated_by_the_clp_and_audited(
    clp_a, participant_a, resource
):
    need = Need.objects.get(name="Social isolation")
    referral = _refer(clp_a, participant_a, resource, status=S.SUGGESTED, need=need, note="Hi")

    assert (referral.status, referral.status_on, referral.clp, referral.need) == (
        S.SUGGESTED,
        date(2024, 3, 1),
        clp_a,
        need,
    )
    assert referral.referred_on is None
    change = referral.changes.get()
    assert (change.status, change.on, change.by) == (S.SUGGESTED, date(2024, 3, 1), clp_a)
    event = AuditEvent.objects.get(object_type="referral")
    assert (event.action, event.participant_ref, event.user) == (Action.CREATE, "P1001", clp_a)
    assert "Hi" not in event.detail


def test_a_referral_made_as_referred_records_when_it_was_referred(clp_a, participant_a, resource):
    referral = _refer(clp_a, participant_a, resource, status=S.REFERRED)
    assert referral.referred_on == date(2024, 3, 1)


def test_a_clp_cannot_refer_another_practices_participant(clp_a, participant_b, resource):
    with pytest.raises(PermissionDenied):
        _refer(clp_a, participant_b, resource)
    assert not Referral.objects.exists()


@pytest.mark.parametrize("who", ["manager_a", "lead"])
def test_only_clps_may_refer(request, who, participant_a, resource):
    with pytest.raises(PermissionDenied):
        _refer(request.getfixturevalue(who), participant_a, resource)


def test_a_second_open_referral_to_the_same_service_is_caught_with_a_message(
    clp_a, participant_a, resource
):
    _refer(clp_a, participant_a, resource, status=S.SUGGESTED)
    with pytest.raises(ValidationError) as caught:
        _refer(clp_a, participant_a, resource, on=date(2024, 3, 5))
    assert "already has an open referral to this service" in _messages(caught.value, "resource")
    assert Referral.objects.count() == 1


def test_once_the_first_is_closed_the_person_can_be_referred_again(clp_a, participant_a, resource):
    first = _refer(clp_a, participant_a, resource)
    referral_close(user=clp_a, referral=first, on=date(2024, 4, 1))
    _refer(clp_a, participant_a, resource, on=date(2024, 5, 1))
    assert Referral.objects.filter(participant=participant_a).count() == 2


def test_the_database_refuses_a_second_open_referral_that_slips_past_the_check(
    clp_a, participant_a, resource
):
    _refer(clp_a, participant_a, resource)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(participant=participant_a, resource=resource, clp=clp_a)


def test_the_database_refuses_an_unknown_status(participant_a, resource):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(participant=participant_a, resource=resource, status="teleported")


def test_an_inactive_service_takes_no_new_referrals(clp_a, participant_a, resource):
    resource.active = False
    resource.save()
    with pytest.raises(ValidationError) as caught:
        _refer(clp_a, participant_a, resource)
    assert "no longer taking referrals" in _messages(caught.value, "resource")


def test_a_closed_case_takes_no_new_referrals(clp_a, participant_a, resource):
    participant_a.status = CaseStatus.CLOSED
    participant_a.closed_on = date(2024, 2, 1)
    participant_a.discharge_reason = "goals_met"
    participant_a.save()
    with pytest.raises(ValidationError, match="reopen it"):
        _refer(clp_a, participant_a, resource)


def test_the_date_cannot_be_in_the_future_or_before_the_person_joined(
    clp_a, participant_a, resource
):
    with pytest.raises(ValidationError) as caught:
        _refer(clp_a, participant_a, resource, on=timezone.localdate() + timedelta(days=1))
    assert "future" in _messages(caught.value, "on")
    with pytest.raises(ValidationError) as caught:
        _refer(clp_a, participant_a, resource, on=date(2024, 1, 1))
    assert "before the person joined" in _messages(caught.value, "on")


@pytest.mark.parametrize("status", [S.ENGAGED, S.CLOSED, "teleported"])
def test_a_new_referral_cannot_start_further_along(clp_a, participant_a, resource, status):
    with pytest.raises(ValidationError) as caught:
        _refer(clp_a, participant_a, resource, status=status)
    assert "starts as suggested or referred" in _messages(caught.value, "status")


# Moving it along


def test_each_change_is_dated_by_whom_and_audited(clp_a, referral_a):
    referral = referral_set_status(
        user=clp_a, referral=referral_a, status=S.ATTENDED, on=date(2024, 3, 8), note="Went"
    )
    assert (referral.status, referral.status_on, referral.attended_on) == (
        S.ATTENDED,
        date(2024, 3, 8),
        date(2024, 3, 8),
    )
    assert list(referral.changes.values_list("status", "on", "by")) == [
        (S.REFERRED, date(2024, 3, 1), clp_a.pk),
        (S.ATTENDED, date(2024, 3, 8), clp_a.pk),
    ]
    assert AuditEvent.objects.filter(
        object_type="referral", action=Action.UPDATE, detail="status: attended"
    ).exists()


def test_going_backwards_is_refused_with_a_clear_message(clp_a, referral_a):
    with pytest.raises(ValidationError) as caught:
        referral_set_status(
            user=clp_a, referral=referral_a, status=S.SUGGESTED, on=date(2024, 3, 2)
        )
    assert (
        _messages(caught.value, "status")
        == "A referral that is referred cannot go back to suggested."
    )
    referral_a.refresh_from_db()
    assert referral_a.status == S.REFERRED


def test_an_invalid_status_is_refused_with_a_clear_message(clp_a, referral_a):
    with pytest.raises(ValidationError) as caught:
        referral_set_status(user=clp_a, referral=referral_a, status="cured", on=date(2024, 3, 2))
    assert _messages(caught.value, "status") == "“cured” is not a referral status."


def test_a_change_cannot_be_dated_before_the_last_one_or_in_the_future(clp_a, referral_a):
    with pytest.raises(ValidationError, match="last change was on 01 Mar 2024"):
        referral_set_status(user=clp_a, referral=referral_a, status=S.ATTENDED, on=date(2024, 2, 1))
    with pytest.raises(ValidationError, match="future"):
        referral_set_status(
            user=clp_a,
            referral=referral_a,
            status=S.ATTENDED,
            on=timezone.localdate() + timedelta(days=1),
        )


@pytest.mark.parametrize("who", ["clp_b", "manager_a", "lead"])
def test_only_a_clp_of_the_participants_practice_may_change_it(request, who, referral_a):
    with pytest.raises(PermissionDenied):
        referral_set_status(
            user=request.getfixturevalue(who),
            referral=referral_a,
            status=S.ATTENDED,
            on=date(2024, 3, 8),
        )


def test_engagement_is_still_counted_after_the_referral_is_closed(clp_a, referral_a):
    referral_set_status(user=clp_a, referral=referral_a, status=S.ENGAGED, on=date(2024, 3, 8))
    referral = referral_close(user=clp_a, referral=referral_a, on=date(2024, 6, 1), note="Done")
    assert referral.status == S.CLOSED
    assert (referral.attended_on, referral.engaged_on) == (date(2024, 3, 8), date(2024, 3, 8))


def test_a_closed_referral_cannot_change_again(clp_a, referral_a):
    referral_close(user=clp_a, referral=referral_a, on=date(2024, 6, 1))
    with pytest.raises(ValidationError, match="Make a new referral"):
        referral_set_status(user=clp_a, referral=referral_a, status=S.ENGAGED, on=date(2024, 6, 2))


# Links for the organisation


def test_issuing_a_link_audits_it_without_the_token(clp_a, referral_a):
    link, token = feedback_link_issue(user=clp_a, referral=referral_a)
    assert link.expires_at - link.issued_at == timedelta(days=60)
    event = AuditEvent.objects.get(object_type="feedbacklink")
    assert event.participant_ref == "P1001"
    assert token not in event.detail and token.split(":")[0] not in event.detail


def test_a_new_link_withdraws_the_earlier_unused_one(clp_a, referral_a):
    first, _ = feedback_link_issue(user=clp_a, referral=referral_a)
    second, _ = feedback_link_issue(user=clp_a, referral=referral_a)
    first.refresh_from_db()
    assert first.state == FeedbackLink.State.REVOKED
    assert second.state == FeedbackLink.State.ACTIVE


def test_no_link_for_a_suggestion_not_yet_referred(clp_a, participant_a, resource):
    referral = _refer(clp_a, participant_a, resource, status=S.SUGGESTED)
    with pytest.raises(ValidationError, match="Mark the referral as referred"):
        feedback_link_issue(user=clp_a, referral=referral)


def test_no_link_for_a_closed_referral(clp_a, referral_a):
    referral_close(user=clp_a, referral=referral_a, on=date(2024, 6, 1))
    with pytest.raises(ValidationError, match="nothing for the organisation to confirm"):
        feedback_link_issue(user=clp_a, referral=referral_a)


@pytest.mark.parametrize("who", ["clp_b", "manager_a", "lead"])
def test_only_a_clp_of_the_practice_may_issue_or_withdraw_a_link(request, who, referral_a, issued):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        feedback_link_issue(user=user, referral=referral_a)
    with pytest.raises(PermissionDenied):
        feedback_link_revoke(user=user, link=issued[0])


def test_a_used_link_cannot_be_withdrawn(clp_a, issued):
    _answer(issued[0])
    with pytest.raises(ValidationError, match="it is used"):
        feedback_link_revoke(user=clp_a, link=issued[0])


# The organisation's answer


def test_the_answer_lands_on_the_referral_and_moves_it_to_engaged(issued, referral_a):
    link, _ = issued
    referral = _answer(link, appropriate=False, comment="  Would suit our Thursday group  ")
    assert referral.status == S.ENGAGED
    assert referral.engaged_on == timezone.localdate()
    assert (
        referral.feedback_attended,
        referral.feedback_engaged,
        referral.feedback_appropriate,
        referral.feedback_relevant,
        referral.feedback_comment,
    ) == (True, True, False, True, "Would suit our Thursday group")
    change = referral.changes.last()
    assert (change.status, change.by, change.by_organisation) == (S.ENGAGED, None, True)
    event = AuditEvent.objects.filter(object_type="referral", action=Action.UPDATE).get()
    assert event.detail == "organisation feedback; status: engaged" and event.user is None
    link.refresh_from_db()
    assert link.used_at is not None


def test_attended_but_not_engaged_moves_it_to_attended(issued):
    referral = _answer(issued[0], engaged=False)
    assert referral.status == S.ATTENDED and referral.engaged_on is None


def test_did_not_attend_leaves_the_status_for_the_clp_to_decide(issued):
    referral = _answer(issued[0], attended=False, engaged=False)
    assert referral.status == S.REFERRED
    assert referral.feedback_attended is False


def test_the_answer_never_moves_a_referral_backwards(clp_a, issued, referral_a):
    referral_set_status(user=clp_a, referral=referral_a, status=S.ENGAGED, on=date(2024, 3, 8))
    referral = _answer(issued[0], engaged=False)
    assert referral.status == S.ENGAGED
    assert referral.feedback_engaged is False
    assert not ReferralStatusChange.objects.filter(by_organisation=True).exists()


def test_an_answer_after_closing_is_kept_without_reopening(clp_a, issued, referral_a):
    referral_close(user=clp_a, referral=referral_a, on=date(2024, 6, 1))
    referral = _answer(issued[0])
    assert referral.status == S.CLOSED and referral.feedback_appropriate is True


def test_engaged_without_attending_is_refused(issued):
    with pytest.raises(ValidationError) as caught:
        _answer(issued[0], attended=False, engaged=True)
    assert "did not attend cannot have engaged" in _messages(caught.value, "engaged")
    issued[0].refresh_from_db()
    assert issued[0].used_at is None


def test_a_second_answer_through_the_same_link_is_refused(issued):
    _answer(issued[0])
    with pytest.raises(LinkUnavailable) as caught:
        _answer(issued[0], engaged=False)
    assert caught.value.state == FeedbackLink.State.USED
    assert Referral.objects.get().feedback_engaged is True


# The directory


def test_a_service_is_saved_with_its_postcode_written_one_way_and_audited(lead):
    resource = CommunityResource(
        organisation="Possil Pantry",
        name="Food pantry",
        description="Shopping for £3.50",
        area="Possilpark",
        postcode="g22 5dn",
        how_to_refer="Drop in",
    )
    resource_save(user=lead, resource=resource, categories=Category.objects.filter(name="Food"))
    resource.refresh_from_db()
    assert resource.postcode == "G22 5DN" and resource.created_by == lead
    assert [c.name for c in resource.categories.all()] == ["Food"]
    assert AuditEvent.objects.filter(object_type="communityresource", action=Action.CREATE).exists()


def test_a_service_with_a_bad_postcode_is_refused_next_to_the_field(lead):
    resource = CommunityResource(
        organisation="X",
        name="Y",
        description="Z",
        area="Govan",
        postcode="NOT IT",
        how_to_refer="-",
    )
    with pytest.raises(ValidationError) as caught:
        resource_save(user=lead, resource=resource, categories=Category.objects.all()[:1])
    assert "valid UK postcode" in _messages(caught.value, "postcode")


def test_a_service_needs_a_category(lead):
    resource = CommunityResource(
        organisation="X", name="Y", description="Z", area="Govan", how_to_refer="-"
    )
    with pytest.raises(ValidationError) as caught:
        resource_save(user=lead, resource=resource, categories=[])
    assert "at least one category" in _messages(caught.value, "categories")


@pytest.mark.parametrize("who", ["manager_a", "admin_user"])
def test_who_maintains_the_directory(request, who, resource):
    user = request.getfixturevalue(who)
    if who == "manager_a":
        with pytest.raises(PermissionDenied):
            resource_save(user=user, resource=resource, categories=resource.categories.all())
        with pytest.raises(PermissionDenied):
            resource_set_active(user=user, resource=resource, active=False)
    else:
        resource_set_active(user=user, resource=resource, active=False)
        assert not CommunityResource.objects.get(pk=resource.pk).active


def test_a_clp_may_deactivate_a_service_and_it_is_audited(clp_a, resource):
    resource_set_active(user=clp_a, resource=resource, active=False)
    assert AuditEvent.objects.filter(detail="deactivated").exists()
    with pytest.raises(ValidationError, match="already inactive"):
        resource_set_active(user=clp_a, resource=resource, active=False)


def test_a_service_that_was_referred_to_cannot_be_deleted(referral_a, resource):
    with pytest.raises(ProtectedError):
        resource.delete()
    assert ResourceFactory().delete()[0] >= 1
