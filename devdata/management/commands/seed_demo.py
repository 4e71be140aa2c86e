from django.core.management.base import BaseCommand

from devdata.demo import DEMO_PASSWORD, STAFF, build_demo
from devdata.demo_referrals import build_referrals_demo
from devdata.demo_safeguarding import LEAD, LEAD_PRACTICES, build_safeguarding_demo


class Command(BaseCommand):
    help = "Load a synthetic demo programme (idempotent) and print the demo sign-ins."

    def handle(self, *args, **options):
        summary = build_demo()
        referrals = build_referrals_demo()
        concerns = build_safeguarding_demo()
        self.stdout.write(
            f"Demo programme ready: {summary.practices} practices, {summary.staff} staff; "
            f"added {summary.participants} participants, {summary.consultations} "
            f"consultations, {referrals} referrals and {concerns} safeguarding concerns "
            "this time."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for username, full_name, lead, superuser, attachments in STAFF:
            if superuser:
                role = "administrator"
            elif lead:
                role = "programme lead"
            else:
                role = ", ".join(
                    f"{'CLP' if r == 'clp' else 'practice manager'} at {code}"
                    for code, r in attachments
                )
            self.stdout.write(f"  {username:<12} {full_name:<20} {role}")
        self.stdout.write(
            f"  {LEAD} is also safeguarding lead for practices {', '.join(LEAD_PRACTICES)}."
        )
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000 and sign in.")
