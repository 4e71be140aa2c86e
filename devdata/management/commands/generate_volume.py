from datetime import date

from django.core.management.base import BaseCommand, CommandError

from devdata.volume import (
    BENCH_CLP,
    BENCH_DENSE_CLP,
    BENCH_DENSE_MANAGER,
    BENCH_LEAD,
    BENCH_MANAGER,
    volume_generate,
)
from participants.models import Participant


class Command(BaseCommand):
    help = (
        "Generate a synthetic programme at scale for benchmarks: practices, staff, "
        "participants and their records. Refuses a database that has participants unless "
        "--force is given (then it adds a further set beside them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practices", type=int, default=50)
        parser.add_argument("--participants", type=int, default=50000)
        parser.add_argument(
            "--dense",
            type=int,
            default=0,
            help="Add one practice more whose only CLP (bench.dense) holds this many "
            "participants, beside --participants; bench.dense.pm manages it.",
        )
        parser.add_argument("--seed", type=int, default=8, help="Same seed, same data.")
        parser.add_argument("--today", help="Build as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--password",
            help="Password for the benchmark accounts (default: a new random one, printed).",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--force", action="store_true", help="Run even though participants exist."
        )

    def handle(self, *args, **options):
        if options["practices"] < 1 or options["participants"] < 0 or options["dense"] < 0:
            raise CommandError(
                "--practices must be at least 1, and --participants and --dense at least 0."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date like 2026-11-23.") from None
        existing = Participant.objects.count()
        if existing and not options["force"]:
            raise CommandError(
                f"The database already has {existing} participants. generate_volume is for an "
                "empty database (a benchmark's own); give --force to add a further set anyway."
            )
        self.stdout.write(
            f"Generating {options['participants']} participants in "
            f"{options['practices']} practices (seed {options['seed']})"
            + (f", and {options['dense']} in one dense practice" if options["dense"] else "")
            + "…"
        )
        summary = volume_generate(
            practices=options["practices"],
            participants=options["participants"],
            dense=options["dense"],
            seed=options["seed"],
            today=today,
            password=options["password"],
            batch_size=options["batch_size"],
            log=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write("Made:")
        for name, n in sorted(summary.counts.items()):
            self.stdout.write(f"  {name:<42} {n:>9,}")
        self.stdout.write("")
        self.stdout.write(f"Took {summary.seconds:.1f} s.")
        self.stdout.write("")
        self.stdout.write(
            f"Benchmark sign-ins (password for all: {summary.password}): "
            f"{BENCH_CLP} (CLP of two practices), {BENCH_MANAGER} (practice manager), "
            f"{BENCH_LEAD} (programme lead)"
            + (
                f", {BENCH_DENSE_CLP} (the dense practice's CLP) and {BENCH_DENSE_MANAGER} "
                "(its manager)."
                if options["dense"]
                else "."
            )
        )
