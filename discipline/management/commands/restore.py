from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from discipline.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` (a .dump for PostgreSQL or a .sqlite3 "
        "file) into the configured database, with the media archive beside it. Replaces what "
        "is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--no-input", action="store_true", help="Do not ask to confirm.")

    def handle(self, *args, file, no_input=False, **options):
        dump = Path(file)
        if not dump.is_file():
            raise CommandError(f"No such file: {dump}")
        if not no_input:
            answer = input(
                f"This replaces the current database and files with {dump}. "
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Cancelled.")
        restore(dump)
        self.stdout.write(self.style.SUCCESS(f"Restored {dump}."))
