import datetime

from django.core.management.base import BaseCommand, CommandError

from discipline.services import notify_overdue


class Command(BaseCommand):
    help = (
        "Tell unit heads and inspectors about unit answers past their due date. Each violation "
        "is announced once: safe to run daily from cron (running it twice sends nothing new)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD); by default the local date.",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from error
        result = notify_overdue(today=today)
        self.stdout.write(
            f"{result['violations']} violation(s) newly overdue; "
            f"{result['notices']} notice(s) sent."
        )
