from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from discipline.backup import backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files into DJANGO_BACKUP_DIR (or --dir)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BACKUP_DIR))

    def handle(self, *args, dir, **options):
        for path in backup(Path(dir)):
            self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
