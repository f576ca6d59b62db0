"""How fast a file of cases imports: our bulk path against django-import-export's plain ModelResource.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iso_bench .venv/bin/python bench/imports.py [--rows 100000] [--baseline-rows 10000]

A CSV of cases of the demo's administrative procedures is written first (dossier codes given,
received over the last year, most completed, some rejected, some still open). Our path is
``cases.imports.cases_import``: the whole file checked, then written with bulk inserts in one
transaction. The baseline is a plain ``ModelResource`` with foreign-key widgets on the same
columns and the same rules (effective revision, due date from the rule book, register number,
outcome), imported with ``use_transactions`` and ``rollback_on_validation_errors`` so that it too is
all or nothing; it saves row by row, as django-import-export does. Both run on the same rows inside
a transaction that is rolled back, so each starts from the same database. The baseline runs on
the first ``--baseline-rows`` rows (row by row it would take too long on all of them); the ratio
is measured on those same rows.
"""

import argparse
import csv
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from cases.imports import COLUMNS, OUTCOMES, cases_import, read_dataset  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.services import RuleBook, case_reference, classify_timing  # noqa: E402
from iso.calendar import WorkingCalendar  # noqa: E402
from iso.models import OrgUnit, User  # noqa: E402
from processes.models import Procedure, ProcedureRevision  # noqa: E402


class Rollback(Exception):
    """Raised at the end of a timed run so that its rows are not kept."""


def write_file(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    procedures = list(
        Procedure.objects.filter(
            category=Procedure.Category.ADMINISTRATIVE, revisions__state=ProcedureRevision.State.EFFECTIVE,
            revisions__steps__isnull=False,
        ).distinct().values_list("code", flat=True)
    )
    units = list(OrgUnit.objects.values_list("code", flat=True))
    clerks = list(User.objects.filter(unit__isnull=False).values_list("username", flat=True))
    now = timezone.localtime().replace(microsecond=0, second=0)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(1, rows + 1):
            received = now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60))
            roll = rng.random()
            outcome = "completed" if roll < 0.9 else "rejected" if roll < 0.95 else ""
            resolved = received + datetime.timedelta(hours=rng.randrange(1, 200)) if outcome else None
            writer.writerow([
                f"IMP-{n:07d}", rng.choice(procedures), rng.choice(units), rng.choice(clerks),
                received.strftime("%Y-%m-%d %H:%M"), f"Nguyễn Văn {n}", "person", f"09{n:08d}", "online",
                outcome, resolved.strftime("%Y-%m-%d %H:%M") if resolved else "", "",
            ])


class PlainCaseResource(resources.ModelResource):
    """django-import-export's ordinary way: widgets for the foreign keys, one instance saved per row."""

    procedure = fields.Field(attribute="procedure", column_name="procedure", widget=widgets.ForeignKeyWidget(Procedure, "code"))
    unit = fields.Field(attribute="unit", column_name="unit", widget=widgets.ForeignKeyWidget(OrgUnit, "code"))
    received_by = fields.Field(
        attribute="received_by", column_name="received_by", widget=widgets.ForeignKeyWidget(User, "username")
    )
    received_at = fields.Field(
        attribute="received_at", column_name="received_at", widget=widgets.DateTimeWidget("%Y-%m-%d %H:%M")
    )

    class Meta:
        model = Case
        fields = ("reference", "procedure", "unit", "received_by", "received_at", "applicant_name", "applicant_kind",
                  "applicant_contact", "channel")
        import_id_fields = ("reference",)
        clean_model_instances = True
        use_transactions = True
        rollback_on_validation_errors = True

    def __init__(self, calendar: WorkingCalendar):
        super().__init__()
        self.calendar = calendar
        self.rules: dict[int, RuleBook] = {}

    def init_instance(self, row=None):
        # The state is a protected FSM field: it can be given only when the instance is made.
        return Case(state=OUTCOMES[row["outcome"]] or Case.State.RECEIVED)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # The same derived fields as our path, found the ordinary way: a query or two per row.
        revision = ProcedureRevision.objects.get(procedure=instance.procedure, state=ProcedureRevision.State.EFFECTIVE)
        rules = self.rules.get(revision.pk) or self.rules.setdefault(revision.pk, RuleBook.for_revision(revision, self.calendar))
        outcome = OUTCOMES[row["outcome"]]
        instance.revision = revision
        instance.year = instance.received_at.astimezone(self.calendar.tz).year
        last = Case.objects.filter(procedure=instance.procedure, year=instance.year).aggregate(n=Max("sequence"))["n"]
        instance.sequence = (last or 0) + 1
        instance.reference = instance.reference or case_reference(
            instance.procedure, instance.received_at, instance.sequence, self.calendar.tz
        )
        instance.due_at = self.calendar.add_working_seconds(instance.received_at, rules.total_seconds)
        instance.current_step = None if outcome else rules.start
        if outcome in Case.RESOLVED_STATES:
            instance.resolved_at = datetime.datetime.strptime(row["resolved_at"], "%Y-%m-%d %H:%M").replace(
                tzinfo=self.calendar.tz
            )
            instance.timing = classify_timing(instance.resolved_at, instance.due_at, self.calendar.tz)


def timed(label: str, rows: int, work) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic():
            work()
            raise Rollback
    except Rollback:
        pass
    seconds = time.perf_counter() - started
    print(f"{label:<56} {rows:>8,} rows {seconds:>8.1f} s {rows / seconds:>9,.0f} rows/s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))
    print(f"PostgreSQL {connection.pg_version}; {Case.objects.count():,} cases already in the database")
    calendar = WorkingCalendar.load()
    with tempfile.TemporaryDirectory(prefix="iso-bench-import-") as folder:
        path = Path(folder) / "cases.csv"
        write_file(path, args.rows)
        dataset = read_dataset(path)
    head = tablib.Dataset(*dataset[: args.baseline_rows], headers=dataset.headers)

    def ours(data):
        imported = cases_import(data)
        assert len(imported) == len(data)

    def baseline(data):
        result = PlainCaseResource(calendar).import_data(data, dry_run=False, raise_errors=True)
        assert not result.has_errors() and not result.has_validation_errors() and result.totals["new"] == len(data)

    base_seconds = timed("django-import-export ModelResource", len(head), lambda: baseline(head))
    ours_head = timed("cases_import (checked whole, bulk, one transaction)", len(head), lambda: ours(head))
    timed("cases_import (checked whole, bulk, one transaction)", len(dataset), lambda: ours(dataset))
    print(f"on the same {len(head):,} rows our path is {base_seconds / ours_head:.1f}x faster than the ModelResource")


if __name__ == "__main__":
    main()
