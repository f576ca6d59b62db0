"""On PostgreSQL, the database itself refuses UPDATE, DELETE and TRUNCATE on the two chained logs.

The application never changes a log row (iso.models.ChainedEntry); the triggers stop everything
else that connects with the application's role, short of dropping them. TRUNCATE passes only when
the session sets ``iso.allow_log_truncate`` to ``on``: the test settings do, because Django's
test runner empties every table with TRUNCATE between transactional tests. Other databases keep
the application-level guard only (and the hash chain, which shows any change made around it).
"""

from django.db import migrations

TABLES = ("iso_transitionlog", "iso_fieldchange")

FUNCTION = """
CREATE OR REPLACE FUNCTION iso_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('iso.allow_log_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

FORWARD = [FUNCTION] + [
    statement
    for table in TABLES
    for statement in (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION iso_refuse_log_change();",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION iso_refuse_log_change();",
    )
]

BACKWARD = [
    statement
    for table in TABLES
    for statement in (
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
    )
] + ["DROP FUNCTION IF EXISTS iso_refuse_log_change();"]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL and does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("iso", "0005_field_change"),
    ]

    operations = [PostgreSQLOnly(sql=FORWARD, reverse_sql=BACKWARD)]
