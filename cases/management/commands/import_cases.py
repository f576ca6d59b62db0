from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.imports import COLUMNS, CaseImportError, cases_import, read_dataset


class Command(BaseCommand):
    help = (
        "Load cases from a CSV or XLSX file exported by another one-stop-shop system. The whole file is "
        f"checked first and written in one transaction, or not at all. Columns: {', '.join(COLUMNS)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            cases = cases_import(read_dataset(path))
        except CaseImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(f"{path}: {len(error.errors)} error(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"{path}: imported {len(cases)} case(s)."))
