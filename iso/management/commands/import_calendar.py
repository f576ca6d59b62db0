from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError

from iso.imports import CalendarImportError, calendar_import


class Command(BaseCommand):
    help = "Load holidays and make-up working days from a CSV or XLSX file (columns: date, kind, name), all or none."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in {".csv", ".xlsx"}:
            raise CommandError(f"{path}: give an existing .csv or .xlsx file")
        if suffix == ".csv":
            dataset = tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
        else:
            dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
        try:
            count = calendar_import(dataset)
        except CalendarImportError as error:
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(f"{path}: {len(error.errors)} error(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"{path}: {count} calendar day(s) imported."))
