"""The signature chain's position is required and unique; on PostgreSQL the database refuses
UPDATE, DELETE and TRUNCATE of the signatures with the same function as the logs (migration 0006),
so that a test session may still empty the table (``iso.allow_log_truncate``)."""

from django.db import migrations, models

TABLE = "iso_signature"

CREATE = f"""
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION iso_refuse_log_change();
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION iso_refuse_log_change();
"""
DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("iso", "0009_signature_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signature",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="sequence number"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
