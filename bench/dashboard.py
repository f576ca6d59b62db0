"""How long the on-time dashboard takes for one unit and for the whole province, read from the
tallies with the case indexes, against the live count of the cases without those indexes, in the
same run.

    .venv/bin/python bench/dashboard.py [--database-url postgresql://postgres@127.0.0.1:5432/iso_province] [--runs 5]

Run it on the database of bench/generate_province.py. "Live" is the dashboard's previous way
(``live=True``: one aggregate query per figure over the cases and step visits), measured inside
a transaction that drops the case indexes added with the tallies and is rolled back afterwards.
"Tallies" is what the dashboard reads now. Both give the same figures: the run checks it on the
province's year before measuring. Each figure is the median of ``--runs`` runs after a warm-up,
for the unit with the most cases and for the whole province, over the dashboard's default period
(twelve months to today) and over every year. The last lines time the whole dashboard page
(view, queries and template) through Django's test client, for the ISO secretary.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NEW_INDEXES = ("case_running_due", "case_due", "case_unit_due", "case_procedure_due", "case_late_due")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/iso_province")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Sum
    from django.test import Client
    from django.utils import timezone

    from cases import selectors
    from cases.models import CaseTally
    from iso.models import OrgUnit, User

    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set --database-url.")

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(today.replace(day=1, year=today.year - 1), datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    first = CaseTally.objects.order_by("day").values_list("day", flat=True).first()
    ever = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    year = {"start": start, "end": end}
    all_years = {"start": ever, "end": end}
    top = (CaseTally.objects.filter(day__gte=start.date()).values("unit").annotate(n=Sum("received"))
           .order_by("-n").first())
    unit = OrgUnit.objects.get(pk=top["unit"])
    total = CaseTally.objects.aggregate(n=Sum("received"))["n"]
    print(f"PostgreSQL {connection.pg_version}; {total:,} cases; the unit is {unit.code} {unit.name} "
          f"({top['n']:,} cases in the twelve months); twelve months from {start:%Y-%m-%d}, all years from {ever:%Y-%m-%d}")
    sizes = {}
    with connection.cursor() as cursor:
        for table in ("cases_casetally", "cases_casemonthtally", "cases_steptally", "cases_stepmonthtally"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[table] = cursor.fetchone()[0]
    print("tallies: " + ", ".join(f"{table} {rows:,} rows" for table, rows in sizes.items())
          + f"; load average {os.getloadavg()[0]:.2f}")

    def dashboard(live: bool, **scope):
        return (
            selectors.indicators_total(live=live, **scope),
            [selectors.indicators_by(d, live=live, **scope) for d in ("month", "procedure", "unit")],
            selectors.step_loads(live=live, **scope),
        )

    started = time.perf_counter()
    same = dashboard(True, **year) == dashboard(False, **year)
    print(f"live and tallied figures of the province's twelve months are {'the same' if same else 'DIFFERENT'} "
          f"({time.perf_counter() - started:.1f} s)")
    if not same:
        sys.exit(1)

    def measure(work) -> float:
        work()
        timings = []
        for _ in range(args.runs):
            began = time.perf_counter()
            work()
            timings.append((time.perf_counter() - began) * 1000)
        return statistics.median(timings)

    cases = [
        (f"one unit ({unit.code}), twelve months", {**year, "unit": unit}),
        ("whole province, twelve months", year),
        (f"one unit ({unit.code}), all years", {**all_years, "unit": unit}),
        ("whole province, all years", all_years),
    ]
    live = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in NEW_INDEXES:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        for label, scope in cases:
            live[label] = measure(lambda scope=scope: dashboard(True, **scope))
        transaction.set_rollback(True)  # the indexes come back
    print(f"\n{'dashboard indicators':<44} {'live, no new indexes':>21} {'tallies + indexes':>18} {'ratio':>8}")
    for label, scope in cases:
        tallied = measure(lambda scope=scope: dashboard(False, **scope))
        print(f"{label:<44} {live[label]:>18.1f} ms {tallied:>15.1f} ms {live[label] / tallied:>7.1f}x")

    secretary = User.objects.get(username="thuky")
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(secretary)
    for label, query in ((f"dashboard page, one unit ({unit.code})", {"unit": unit.pk}), ("dashboard page, whole province", {})):
        def page(query=query):
            response = client.get("/cases/dashboard/", query)
            assert response.status_code == 200, response.status_code
        print(f"{label:<44} {'':>21} {measure(page):>15.1f} ms")


if __name__ == "__main__":
    main()
