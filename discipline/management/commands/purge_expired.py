from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from discipline.personal_data import purge_expired


class Command(BaseCommand):
    help = (
        "Erase personal data past the retention period (DJANGO_RETENTION_YEARS): the text and "
        "evidence of cases closed, dismissed or voided before it, old diaries, finished tasks, "
        "notices, access logs and login attempts, and the names of staff who left. Safe to run "
        "daily from cron; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--years",
            type=int,
            help=f"Retention in years (default DJANGO_RETENTION_YEARS, now {settings.RETENTION_YEARS}).",
        )

    def handle(self, *args, dry_run=False, years=None, **options):
        if years is not None and years < 1:
            raise CommandError("--years must be 1 or more.")
        report = purge_expired(years=years, dry_run=dry_run)
        verb = "would be erased" if dry_run else "erased"
        self.stdout.write(f"Retention cut-off {report.cutoff:%Y-%m-%d %H:%M} UTC.")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(f"{sum(report.counts.values())} item(s) {verb}.")
