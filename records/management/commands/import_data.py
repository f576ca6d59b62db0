"""manage.py import_data MODEL FILE: all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.resources import RESOURCES, ImportFailed, import_all_or_nothing, read_dataset, resource_for


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or JSON file (format from the extension) keyed by natural keys. The whole file "
        "is checked first and written in one transaction, or not at all; every error is named by row and "
        f"column. Models: {', '.join(RESOURCES)} (cases: use import_cases)."
    )

    def add_arguments(self, parser):
        parser.add_argument("model")
        parser.add_argument("path", type=Path)

    def handle(self, *args, model, path: Path, **options):
        try:
            resource = resource_for(model)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if not resource.importable:
            raise CommandError(f"{model} cannot be imported with import_data; use import_cases.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            dataset = read_dataset(path.read_bytes(), path.suffix)
        except Exception as error:  # unreadable file, wrong format
            raise CommandError(f"{path}: cannot read the file: {error}") from None
        try:
            result = import_all_or_nothing(resource, dataset)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path}: {len(failure.errors)} error(s); nothing was imported.") from None
        totals = result.totals
        self.stdout.write(self.style.SUCCESS(
            f"{path}: {totals.get('new', 0)} new, {totals.get('update', 0)} updated, "
            f"{totals.get('skip', 0)} unchanged."
        ))
