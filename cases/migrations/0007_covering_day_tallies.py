"""On PostgreSQL, the day tallies get covering indexes too: the days of a period outside whole
months (this month so far, on the default dashboard) are then read from the index alone instead
of from rows spread over the whole table."""

from django.db import migrations


INDEXES = {
    "case_tally_covering": (
        "cases_casetally", "unit_id, procedure_id, received, resolved, early, on_time, late, withdrawn"
    ),
    "step_tally_covering": ("cases_steptally", "step_id, visits, hours_spent, hours_allowed, late"),
}


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [("cases", "0006_late_cases_index")]

    operations = [
        PostgreSQLOnly(
            [f"CREATE INDEX IF NOT EXISTS {name} ON {table} (day) INCLUDE ({columns})"
             for name, (table, columns) in INDEXES.items()],
            [f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
        ),
    ]
