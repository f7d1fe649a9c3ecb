from django.core.management.base import BaseCommand, CommandError

from discipline.scale import Scale, SeedRefused, holds_foreign_data, seed


class Command(BaseCommand):
    help = (
        "Fill a PostgreSQL database with province-scale data for benchmarks: one Authority, "
        "150 units, 30,000 staff, 1,000,000 violations over 3 years, 20,000 visits with rolls, "
        "5,000 issued letters. Replaces earlier seeded data; refuses a database holding other "
        "data unless --force (which deletes it)."
    )

    def add_arguments(self, parser):
        defaults = Scale()
        for name in ("units", "staff", "violations", "visits", "letters", "roll_size"):
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name)
            )
        parser.add_argument("--years", type=int, default=defaults.years)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds data seed_scale did not make: it is deleted.",
        )

    def handle(self, *args, **options):
        scale = Scale(
            units=options["units"],
            staff=options["staff"],
            violations=options["violations"],
            visits=options["visits"],
            letters=options["letters"],
            roll_size=options["roll_size"],
            years=options["years"],
        )
        if scale.units < 3 or scale.staff < scale.units:
            raise CommandError("Need at least 3 units and one staff member per unit.")
        from django.db import connection

        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL: set DATABASE_URL=postgres://…")
        if holds_foreign_data() and not options["force"]:
            raise CommandError(
                "This database holds data seed_scale did not make. Use another database, or "
                "--force to delete it and seed anyway."
            )
        self.stdout.write(f"Seeding {connection.settings_dict['NAME']}:")
        try:
            counts = seed(scale, log=self.stdout.write)
        except SeedRefused as refused:
            raise CommandError(str(refused)) from refused
        seconds = counts.pop("seconds")
        summary = ", ".join(f"{table} {count:,}" for table, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded in {seconds:.1f} s: {summary}."))
