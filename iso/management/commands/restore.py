"""manage.py restore BACKUP_DIR (--sqlite-path FILE | --database NAME) --media-root DIR"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iso.backup import BackupError, backup_check, restore_media, restore_postgresql, restore_sqlite


class Command(BaseCommand):
    help = (
        "Check a backup against its manifest (an altered file is refused, by name) and restore it into a NEW "
        "SQLite file (--sqlite-path) or a NEW PostgreSQL database on the server DATABASE_URL points at "
        "(--database), and its files into a new MEDIA_ROOT (--media-root). Never writes over data in use. "
        "Then point SQLITE_PATH or DATABASE_URL, and MEDIA_ROOT, at the restored copy and run "
        "manage.py verify_integrity --backup BACKUP_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="folder written by manage.py backup")
        parser.add_argument("--sqlite-path", type=Path, help="new SQLite file to restore a SQLite backup into")
        parser.add_argument("--database", help="name of a new PostgreSQL database to restore a PostgreSQL backup into")
        parser.add_argument("--media-root", type=Path, required=True, help="new or empty folder for the files")

    def handle(self, *args, backup: Path, sqlite_path=None, database=None, media_root: Path, **options):
        try:
            manifest = backup_check(backup)
            self.stdout.write(f"{backup}: every file matches its manifest.")
            if manifest["vendor"] == "sqlite":
                if not sqlite_path:
                    raise CommandError("This is a SQLite backup: give --sqlite-path NEW_FILE.")
                restore_sqlite(backup, sqlite_path)
                self.stdout.write(f"Database restored to {sqlite_path}.")
            elif manifest["vendor"] == "postgresql":
                if not database:
                    raise CommandError("This is a PostgreSQL backup: give --database NEW_NAME.")
                restore_postgresql(backup, database)
                self.stdout.write(f"Database restored to the new database {database}.")
            else:
                raise CommandError(f"Unknown database kind in the manifest: {manifest['vendor']}.")
            count = restore_media(backup, media_root)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{count} file(s) restored to {media_root}.")
        self.stdout.write(self.style.SUCCESS("Restored. Now run manage.py verify_integrity against the restored copy."))
