"""manage.py backup [--output DIR]: the database and MEDIA_ROOT, with a manifest of hashes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iso.backup import BackupError, backup_create, default_backup_folder


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump --format=custom; SQLite: a consistent copy through SQLite's "
        "backup API) and every file under MEDIA_ROOT into a new folder, with manifest.json listing the SHA-256 "
        "of each part and the head of each log chain. Restore with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="new folder to write (default: backups/iso-<UTC time>)")

    def handle(self, *args, output: Path | None = None, **options):
        output = output or default_backup_folder()
        try:
            manifest = backup_create(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for name, part in manifest["files"].items():
            self.stdout.write(f"{output / name}: {part['bytes']} bytes, SHA-256 {part['sha256']}")
        for name, head in manifest["chains"].items():
            self.stdout.write(f"{name}: {head['entries']} entries, head {head['head'][:16]}")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}."))
