"""manage.py export_data MODEL --format csv|xlsx|json [--output FILE]"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from records.resources import RESOURCES, export_csv, export_json, export_xlsx, resource_for


class Command(BaseCommand):
    help = (
        "Export a table by natural keys (codes, usernames, references; never database ids). CSV and JSON "
        f"stream row by row; XLSX is written in openpyxl's write-only mode. Models: {', '.join(RESOURCES)}."
    )

    def add_arguments(self, parser):
        parser.add_argument("model", help="for example orgunit, user, procedure, case, nonconformity")
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx", "json"], default="csv")
        parser.add_argument("--output", "-o", help="file to write (default: standard output; required for xlsx)")

    def handle(self, *args, model, fmt, output=None, **options):
        try:
            resource = resource_for(model)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if fmt == "xlsx" and not output:
            raise CommandError("--output FILE is required for xlsx")
        if output:
            # Written next to the target and renamed at the end: a failed export leaves no half file.
            partial = f"{output}.part"
            try:
                if fmt == "xlsx":
                    with open(partial, "wb") as out:
                        count = export_xlsx(resource, out)
                else:
                    writer = export_csv if fmt == "csv" else export_json
                    with open(partial, "w", encoding="utf-8", newline="") as out:
                        count = writer(resource, out)
                os.replace(partial, output)
            finally:
                if os.path.exists(partial):
                    os.remove(partial)
            self.stderr.write(f"{output}: exported {count} row(s).")
        else:
            writer = export_csv if fmt == "csv" else export_json
            writer(resource, getattr(self.stdout, "_out", sys.stdout))
