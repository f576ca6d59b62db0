"""Chain the transition log: every existing entry, in id order, gets its position and hashes."""

from django.db import migrations, models

from iso import chain

CHUNK = 1000


def chain_existing_entries(apps, schema_editor):
    TransitionLog = apps.get_model("iso", "TransitionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    labels = {pk: f"{app}.{model}" for pk, app, model in ContentType.objects.using(db).values_list("pk", "app_label", "model")}
    seq, previous, last_pk = 0, chain.GENESIS, 0
    while True:
        # In chunks, in id order: constant memory whatever the size of the log.
        entries = list(TransitionLog.objects.using(db).filter(pk__gt=last_pk).order_by("pk")[:CHUNK])
        if not entries:
            break
        for entry in entries:
            seq += 1
            entry.seq = seq
            entry.previous_hash = previous
            values = {name: getattr(entry, name) for name in chain.TRANSITION_LOG_FIELDS}
            entry.entry_hash = previous = chain.digest(chain.payload(values, chain.TRANSITION_LOG_FIELDS, labels.__getitem__), previous)
        TransitionLog.objects.using(db).bulk_update(entries, ["seq", "previous_hash", "entry_hash"])
        last_pk = entries[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("iso", "0003_working_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="transitionlog",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash of the previous entry"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="entry_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        # Made unique and required in the next migration: on PostgreSQL the constraint is not
        # added in the transaction that wrote the rows.
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
    ]
