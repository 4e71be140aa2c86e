from io import StringIO

from django.core.management import call_command

from accounts.models import User
from participants.models import Consultation, Participant
from practices.models import Practice


def test_seed_demo_builds_a_programme_and_prints_the_sign_ins(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Practice.objects.count() == 5
    assert Participant.objects.count() > 50
    assert Consultation.objects.count() > 100
    assert User.objects.filter(is_programme_lead=True).exists()
    assert "anna.clp" in out.getvalue() and "links-demo-2026" in out.getvalue()


def test_running_it_twice_changes_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    before = (Participant.objects.count(), Consultation.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=StringIO())
    after = (Participant.objects.count(), Consultation.objects.count(), User.objects.count())
    assert before == after


def test_every_demo_chi_number_is_valid(db):
    from participants.chi import validate_chi

    call_command("seed_demo", stdout=StringIO())
    for chi, dob, sex in Participant.objects.values_list("chi", "date_of_birth", "sex"):
        validate_chi(chi, date_of_birth=dob, sex=sex)


def test_the_demo_has_a_flag_a_lead_and_a_concern_once(db):
    from participants.models import RiskFlag
    from safeguarding.models import Concern, SafeguardingLead

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert RiskFlag.objects.count() == 1
    assert Concern.objects.count() == 1
    assert SafeguardingLead.objects.count() == 2
