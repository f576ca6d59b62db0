"""How long the dashboard's on-time indicators take on a million cases, on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iso_bench .venv/bin/python bench/cases_indicators.py [--cases 1000000]

The database is migrated and given the demo organisation; then the cases are generated in the
database itself (INSERT … SELECT over generate_series: a realistic mix of states, timings,
units and procedures over twelve months, with two step visits per finished case) unless it
already holds that many. Each figure is the median of five runs after one warm-up, for one
unit (a commune) and for the whole organisation, over the dashboard's default period.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases import selectors  # noqa: E402
from cases.models import Case  # noqa: E402

GENERATE_CASES = """
WITH revisions AS (
    SELECT r.id AS revision_id, r.procedure_id, row_number() OVER (ORDER BY r.id) - 1 AS n,
           (SELECT s.id FROM processes_step s WHERE s.revision_id = r.id AND s.kind = 'start' LIMIT 1) AS start_step
    FROM processes_procedurerevision r WHERE r.state = 'effective'
      AND EXISTS (SELECT 1 FROM processes_step s WHERE s.revision_id = r.id AND s.kind = 'start')
), units AS (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM iso_orgunit
), clerk AS (SELECT min(id) AS id FROM iso_user),
series AS (
    SELECT g, random() AS roll, now() - random() * interval '365 days' AS received_at
    FROM generate_series(%(first)s, %(last)s) AS g
)
INSERT INTO cases_case (reference, procedure_id, revision_id, year, sequence, unit_id, state, applicant_name,
    applicant_kind, applicant_contact, channel, received_by_id, received_at, due_at, current_step_id, assignee_id,
    resolved_at, timing, paused_hours, outcome_note)
SELECT 'BENCH-' || g, r.procedure_id, r.revision_id, 9000 + (g %% 100), g, u.id,
       CASE WHEN s.received_at > now() - interval '5 days' THEN 'in_progress'
            WHEN roll < 0.04 THEN 'rejected' WHEN roll < 0.06 THEN 'withdrawn' ELSE 'completed' END,
       'Công dân ' || g, 'person', '', 'in_person', clerk.id, s.received_at, s.received_at + interval '3 days',
       CASE WHEN s.received_at > now() - interval '5 days' THEN r.start_step END, clerk.id,
       CASE WHEN s.received_at > now() - interval '5 days' OR (roll >= 0.04 AND roll < 0.06) THEN NULL
            ELSE s.received_at + (CASE WHEN roll > 0.985 THEN interval '4 days' ELSE random() * interval '3 days' END) END,
       CASE WHEN s.received_at > now() - interval '5 days' OR (roll >= 0.04 AND roll < 0.06) THEN ''
            WHEN roll > 0.985 THEN 'late' WHEN roll > 0.8 THEN 'on_time' ELSE 'early' END,
       0, ''
FROM series s
JOIN revisions r ON r.n = s.g %% (SELECT count(*) FROM revisions)
JOIN units u ON u.n = (s.g / 7) %% (SELECT count(*) FROM units)
CROSS JOIN clerk
"""

GENERATE_VISITS = """
INSERT INTO cases_stepvisit (case_id, step_id, handler_id, entered_at, due_at, left_at, left_by_id, action,
    hours_spent, hours_allowed, timing)
SELECT c.id, st.id, c.assignee_id, c.received_at, c.received_at + interval '1 day', c.received_at + interval '20 hours',
       c.assignee_id, '', round((random() * 10)::numeric, 2), greatest(st.time_limit * 7.5, 1),
       CASE WHEN random() < 0.03 THEN 'late' ELSE 'on_time' END
FROM cases_case c
JOIN LATERAL (SELECT s.id, s.time_limit FROM processes_step s WHERE s.revision_id = c.revision_id
              AND s.kind IN ('start', 'task') ORDER BY s.position LIMIT 2) st ON true
WHERE c.reference LIKE 'BENCH-%%' AND c.resolved_at IS NOT NULL AND c.id > %(after)s
"""


def generate(count: int) -> None:
    existing = Case.objects.filter(reference__startswith="BENCH-").count()
    if existing >= count:
        print(f"{existing:,} generated cases already present")
        return
    started = time.perf_counter()
    after = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with connection.cursor() as cursor:
        cursor.execute(GENERATE_CASES, {"first": existing + 1, "last": count})
        cases = cursor.rowcount
        cursor.execute(GENERATE_VISITS, {"after": after})
        visits = cursor.rowcount
        cursor.execute("ANALYZE cases_case; ANALYZE cases_stepvisit;")
    seconds = time.perf_counter() - started
    print(f"generated {cases:,} cases and {visits:,} step visits in {seconds:.1f} s "
          f"({(cases + visits) / seconds:,.0f} rows/s)")


def measure(label: str, work, runs: int = 5) -> float:
    work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(f"{label:<58} {median:9.1f} ms  (min {min(timings):.1f}, max {max(timings):.1f})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))
    generate(args.cases)

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    scope = {
        "start": datetime.datetime.combine(today.replace(day=1, year=today.year - 1), datetime.time.min, tzinfo=tz),
        "end": datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    }
    unit = (
        Case.objects.values("unit").annotate(n=django.db.models.Count("pk")).order_by("-n").values_list("unit", flat=True).first()
    )
    from iso.models import OrgUnit

    unit = OrgUnit.objects.get(pk=unit)
    total = Case.objects.count()
    in_unit = Case.objects.filter(unit=unit).count()
    print(f"PostgreSQL {connection.pg_version}; {total:,} cases, {in_unit:,} of them at {unit.code}")

    def dashboard(**extra):
        selectors.indicators_total(**scope, **extra)
        selectors.indicators_by("month", **scope, **extra)
        selectors.indicators_by("procedure", **scope, **extra)
        selectors.indicators_by("unit", **scope, **extra)
        selectors.step_loads(**scope, **extra)

    measure(f"dashboard indicators, one unit ({unit.code})", lambda: dashboard(unit=unit))
    measure("dashboard indicators, whole organisation", dashboard)
    measure("  of which: totals, whole organisation", lambda: selectors.indicators_total(**scope))
    measure("  of which: by month, whole organisation", lambda: selectors.indicators_by("month", **scope))
    measure("  of which: step loads, whole organisation", lambda: selectors.step_loads(**scope))


if __name__ == "__main__":
    main()
