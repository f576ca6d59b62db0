"""The case and step tallies that the dashboard sums, kept by the database itself.

Triggers on ``cases_case`` and ``cases_stepvisit`` add a row's counts to its tally (unit,
procedure, day of receipt in settings.TIME_ZONE) when it is inserted, move them when its state,
timing or step figures change, and take them away when it is deleted: in the same transaction as
the write, whatever wrote it (the services, the import, the demo, a bulk load). On PostgreSQL they
are statement-level triggers over the transition tables, so a bulk insert updates each tally row
once; on SQLite they are row triggers that call Django's own date function.

A case's unit, procedure and time of receipt never change after it is received; were one to
change, the step tallies would keep its visits under the old key until the next rebuild.
"""

import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction

RESOLVED = "('completed', 'rejected')"

#: The counters of a case tally, each as an SQL expression on a case row ``r`` that is 0 or 1.
CASE_COUNTERS = {
    "received": "1",
    "resolved": f"CASE WHEN r.state IN {RESOLVED} THEN 1 ELSE 0 END",
    "early": "CASE WHEN r.timing = 'early' THEN 1 ELSE 0 END",
    "on_time": "CASE WHEN r.timing = 'on_time' THEN 1 ELSE 0 END",
    "late": "CASE WHEN r.timing = 'late' THEN 1 ELSE 0 END",
    "withdrawn": "CASE WHEN r.state = 'withdrawn' THEN 1 ELSE 0 END",
}
#: The counters of a step tally, on a visit row ``r``.
STEP_COUNTERS = {
    "visits": "1",
    "hours_spent": "COALESCE(r.hours_spent, 0)",
    "hours_allowed": "r.hours_allowed",
    "late": "CASE WHEN r.timing = 'late' THEN 1 ELSE 0 END",
}
#: Only finished visits with an allowance count, as in cases.selectors.step_loads.
COUNTED_VISIT = "r.left_at IS NOT NULL AND r.hours_allowed > 0"


def _tz() -> str:
    name = settings.TIME_ZONE
    ZoneInfo(name)  # an unknown zone fails here, not inside a trigger
    if not re.fullmatch(r"[A-Za-z0-9_+/-]+", name):
        raise ValueError(f"Unexpected time zone name {name!r}.")
    return name


def day_sql(vendor: str, column: str) -> str:
    """The local date of the timestamp ``column``, as the day tallies key it."""
    if vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{_tz()}')::date"
    # Django stores SQLite datetimes in UTC and registers this function on every connection.
    return f"django_datetime_cast_date({column}, '{_tz()}', 'UTC')"


def month_sql(vendor: str, column: str) -> str:
    """The first day of the local month of the timestamp ``column``, as the month tallies key it."""
    if vendor == "postgresql":
        return f"date_trunc('month', ({column}) AT TIME ZONE '{_tz()}')::date"
    return f"strftime('%Y-%m-01', {day_sql(vendor, column)})"


#: Each tally table with the name of its period column and how a timestamp maps to its period.
CASE_TABLES = (("cases_casetally", "day", day_sql), ("cases_casemonthtally", "month", month_sql))
STEP_TABLES = (("cases_steptally", "day", day_sql), ("cases_stepmonthtally", "month", month_sql))


def _postgresql_install() -> list[str]:
    statements = []
    case_cols = ", ".join(CASE_COUNTERS)
    step_cols = ", ".join(STEP_COUNTERS)
    for op, sources in (("insert", [("new_rows", 1)]), ("update", [("new_rows", 1), ("old_rows", -1)]),
                        ("delete", [("old_rows", -1)])):
        case_body, step_body = [], []
        for table, period, period_sql in CASE_TABLES:
            rows = " UNION ALL ".join(
                f"SELECT r.unit_id, r.procedure_id, {period_sql('postgresql', 'r.received_at')} AS period, "
                + ", ".join(f"{sign} * ({expr}) AS {name}" for name, expr in CASE_COUNTERS.items())
                + f" FROM {source} r"
                for source, sign in sources
            )
            case_body.append(f"""
    INSERT INTO {table} AS t (unit_id, procedure_id, {period}, {case_cols})
    SELECT unit_id, procedure_id, period, {", ".join(f"SUM({name})" for name in CASE_COUNTERS)}
    FROM ({rows}) d
    GROUP BY unit_id, procedure_id, period
    HAVING {" OR ".join(f"SUM({name}) <> 0" for name in CASE_COUNTERS)}
    ON CONFLICT (unit_id, procedure_id, {period}) DO UPDATE SET
        {", ".join(f"{name} = t.{name} + EXCLUDED.{name}" for name in CASE_COUNTERS)};""")
        visits = " UNION ALL ".join(
            "SELECT r.case_id, r.step_id, "
            + ", ".join(f"{sign} * ({expr}) AS {name}" for name, expr in STEP_COUNTERS.items())
            + f" FROM {source} r WHERE {COUNTED_VISIT}"
            for source, sign in sources
        )
        for table, period, period_sql in STEP_TABLES:
            key = period_sql("postgresql", "c.received_at")
            step_body.append(f"""
    INSERT INTO {table} AS t (unit_id, procedure_id, {period}, step_id, {step_cols})
    SELECT c.unit_id, c.procedure_id, {key}, v.step_id, {", ".join(f"SUM(v.{name})" for name in STEP_COUNTERS)}
    FROM ({visits}) v JOIN cases_case c ON c.id = v.case_id
    GROUP BY c.unit_id, c.procedure_id, {key}, v.step_id
    HAVING {" OR ".join(f"SUM(v.{name}) <> 0" for name in STEP_COUNTERS)}
    ON CONFLICT (unit_id, procedure_id, {period}, step_id) DO UPDATE SET
        {", ".join(f"{name} = t.{name} + EXCLUDED.{name}" for name in STEP_COUNTERS)};""")
        for kind, body in (("case", case_body), ("step", step_body)):
            statements.append(f"""
CREATE OR REPLACE FUNCTION cases_{kind}_tally_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{"".join(body)}
    RETURN NULL;
END;
$$;""")
        referencing = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                       "delete": "OLD TABLE AS old_rows"}[op]
        for table, kind in (("cases_case", "case"), ("cases_stepvisit", "step")):
            statements.append(f"DROP TRIGGER IF EXISTS {kind}_tally_{op} ON {table}")
            statements.append(
                f"CREATE TRIGGER {kind}_tally_{op} AFTER {op.upper()} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION cases_{kind}_tally_{op}()"
            )
    return statements


def _sqlite_install() -> list[str]:
    statements = []
    case_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("unit_id", "procedure_id", "received_at", "state", "timing"))
    visit_changed = " OR ".join(
        f"OLD.{c} IS NOT NEW.{c}" for c in ("case_id", "step_id", "left_at", "hours_spent", "hours_allowed", "timing")
    )

    def case_apply(row: str, sign: int) -> str:
        counters = {name: expr.replace("r.", f"{row}.") for name, expr in CASE_COUNTERS.items()}
        sql = ""
        for table, period, period_sql in CASE_TABLES:
            key = period_sql("sqlite", f"{row}.received_at")
            sql += (
                f"INSERT OR IGNORE INTO {table} (unit_id, procedure_id, {period}, {', '.join(CASE_COUNTERS)}) "
                f"VALUES ({row}.unit_id, {row}.procedure_id, {key}, {', '.join('0' for _ in CASE_COUNTERS)}); "
                f"UPDATE {table} SET {', '.join(f'{n} = {n} + {sign} * ({e})' for n, e in counters.items())} "
                f"WHERE unit_id = {row}.unit_id AND procedure_id = {row}.procedure_id AND {period} = {key}; "
            )
        return sql

    def step_apply(row: str, sign: int) -> str:
        counters = {name: expr.replace("r.", f"{row}.") for name, expr in STEP_COUNTERS.items()}
        counted = COUNTED_VISIT.replace("r.", f"{row}.")
        sql = ""
        for table, period, period_sql in STEP_TABLES:
            key = period_sql("sqlite", "cases_case.received_at")
            sql += (
                f"INSERT OR IGNORE INTO {table} (unit_id, procedure_id, {period}, step_id, {', '.join(STEP_COUNTERS)}) "
                f"SELECT unit_id, procedure_id, {key}, {row}.step_id, 0, 0, 0, 0 "
                f"FROM cases_case WHERE id = {row}.case_id AND {counted}; "
                f"UPDATE {table} SET "
                + ", ".join(
                    f"{n} = ROUND({n} + {sign} * ({e}), 2)" if n.startswith("hours") else f"{n} = {n} + {sign} * ({e})"
                    for n, e in counters.items()
                )
                + f" WHERE {counted} AND (unit_id, procedure_id, {period}, step_id) = "
                f"(SELECT unit_id, procedure_id, {key}, {row}.step_id FROM cases_case WHERE id = {row}.case_id); "
            )
        return sql

    for kind, table, apply, changed in (("case", "cases_case", case_apply, case_changed),
                                         ("step", "cases_stepvisit", step_apply, visit_changed)):
        for op in ("insert", "update", "delete"):
            statements.append(f"DROP TRIGGER IF EXISTS {kind}_tally_{op}")
        statements += [
            f"CREATE TRIGGER {kind}_tally_insert AFTER INSERT ON {table} BEGIN {apply('NEW', 1)} END",
            f"CREATE TRIGGER {kind}_tally_update AFTER UPDATE ON {table} WHEN {changed} "
            f"BEGIN {apply('OLD', -1)} {apply('NEW', 1)} END",
            f"CREATE TRIGGER {kind}_tally_delete AFTER DELETE ON {table} BEGIN {apply('OLD', -1)} END",
        ]
    return statements


def install(using: str = "default") -> None:
    """Create (or replace) the triggers that keep the tallies, for settings.TIME_ZONE."""
    connection = connections[using]
    statements = _postgresql_install() if connection.vendor == "postgresql" else _sqlite_install()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        for kind, table in (("case", "cases_case"), ("step", "cases_stepvisit")):
            for op in ("insert", "update", "delete"):
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {kind}_tally_{op} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS cases_{kind}_tally_{op}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {kind}_tally_{op}")


def rebuild(using: str = "default") -> tuple[int, int]:
    """Recount every tally from the cases and visits, in one transaction that holds off writers;
    returns the numbers of case and step tally rows by day."""
    connection = connections[using]
    vendor = connection.vendor
    case_counters = ", ".join(f"SUM({expr})" for expr in CASE_COUNTERS.values())
    step_counters = ", ".join(f"SUM({expr})" for expr in STEP_COUNTERS.values())
    tables = [table for table, _period, _sql in (*CASE_TABLES, *STEP_TABLES)]
    counted = {}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("LOCK TABLE cases_case, cases_stepvisit IN SHARE MODE")
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        for table, period, period_sql in CASE_TABLES:
            cursor.execute(
                f"INSERT INTO {table} (unit_id, procedure_id, {period}, {', '.join(CASE_COUNTERS)}) "
                f"SELECT r.unit_id, r.procedure_id, {period_sql(vendor, 'r.received_at')}, {case_counters} "
                f"FROM cases_case r GROUP BY 1, 2, 3"
            )
            counted[table] = cursor.rowcount
        for table, period, period_sql in STEP_TABLES:
            cursor.execute(
                f"INSERT INTO {table} (unit_id, procedure_id, {period}, step_id, {', '.join(STEP_COUNTERS)}) "
                f"SELECT c.unit_id, c.procedure_id, {period_sql(vendor, 'c.received_at')}, r.step_id, {step_counters} "
                f"FROM cases_stepvisit r JOIN cases_case c ON c.id = r.case_id WHERE {COUNTED_VISIT} GROUP BY 1, 2, 3, 4"
            )
            counted[table] = cursor.rowcount
        if vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
    return counted["cases_casetally"], counted["cases_steptally"]
