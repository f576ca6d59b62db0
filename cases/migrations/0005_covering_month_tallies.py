"""On PostgreSQL, the month tallies get an index that holds every column the dashboard sums, so a
year of the province is read from the index alone (about twice as fast as from the table)."""

from django.db import migrations

INDEXES = {
    "case_month_tally_covering": (
        "cases_casemonthtally", "unit_id, procedure_id, received, resolved, early, on_time, late, withdrawn"
    ),
    "step_month_tally_covering": ("cases_stepmonthtally", "step_id, visits, hours_spent, hours_allowed, late"),
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

    dependencies = [("cases", "0004_month_tallies")]

    operations = [
        PostgreSQLOnly(
            [f"CREATE INDEX IF NOT EXISTS {name} ON {table} (month) INCLUDE ({columns})"
             for name, (table, columns) in INDEXES.items()],
            [f"DROP INDEX IF EXISTS {name}" for name in INDEXES],
        ),
    ]
