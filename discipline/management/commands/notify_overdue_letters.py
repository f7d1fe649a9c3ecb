import datetime

from django.core.management.base import BaseCommand, CommandError

from discipline.services import notify_overdue_letters


class Command(BaseCommand):
    help = (
        "Remind the heads of units that have not reported on a letter by its deadline, and the "
        "letter's drafter. Each notice is sent once, so running it daily (cron) is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Treat this day (YYYY-MM-DD) as today; default: today in the site's time zone.",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from error
        sent = notify_overdue_letters(today=today)
        self.stdout.write(f"Overdue letter reports: {sent} notice(s) sent.")
