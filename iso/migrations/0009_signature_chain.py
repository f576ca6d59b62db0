"""Chain the electronic signatures like the logs: every existing signature, in id order, gets its
position and hashes (iso/chain.py). The trigger of migration 0007, which refuses every UPDATE of
the table, is dropped first so that the rows can be chained; 0010 puts the refusal back."""

from django.db import migrations, models

from iso import chain

CHUNK = 1000

OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION iso_signature_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'electronic signatures are append-only: % refused on iso_signature', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER iso_signature_append_only BEFORE UPDATE OR DELETE ON iso_signature
    FOR EACH ROW EXECUTE FUNCTION iso_signature_append_only();
"""
DROP_OLD_TRIGGER = """
DROP TRIGGER IF EXISTS iso_signature_append_only ON iso_signature;
DROP FUNCTION IF EXISTS iso_signature_append_only();
"""


def drop_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_OLD_TRIGGER, params=None)


def restore_old_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the % of RAISE are plpgsql placeholders, not the driver's.
        schema_editor.execute(OLD_TRIGGER, params=None)


def chain_existing_signatures(apps, schema_editor):
    Signature = apps.get_model("iso", "Signature")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    labels = {pk: f"{app}.{model}" for pk, app, model in ContentType.objects.using(db).values_list("pk", "app_label", "model")}
    seq, previous, last_pk = 0, chain.GENESIS, 0
    while True:
        # In chunks, in id order: constant memory whatever the number of signatures.
        signatures = list(Signature.objects.using(db).filter(pk__gt=last_pk).order_by("pk")[:CHUNK])
        if not signatures:
            break
        for signature in signatures:
            seq += 1
            signature.seq = seq
            signature.previous_hash = previous
            values = {name: getattr(signature, name) for name in chain.SIGNATURE_FIELDS}
            signature.entry_hash = previous = chain.digest(
                chain.payload(values, chain.SIGNATURE_FIELDS, labels.__getitem__), previous
            )
        Signature.objects.using(db).bulk_update(signatures, ["seq", "previous_hash", "entry_hash"])
        last_pk = signatures[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("iso", "0008_background_jobs"),
    ]

    operations = [
        migrations.RunPython(drop_old_trigger, restore_old_trigger),
        migrations.AddField(
            model_name="signature",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="signature",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash of the previous entry"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="signature",
            name="entry_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        # Made unique and required in the next migration: on PostgreSQL the constraint is not
        # added in the transaction that wrote the rows.
        migrations.RunPython(chain_existing_signatures, migrations.RunPython.noop),
    ]
