from django.db import migrations


def create_default_scale(apps, schema_editor):
    """The 5 × 5 scale most agencies use; the ISO secretary changes it on the register's scale page."""
    RiskScale = apps.get_model("risks", "RiskScale")
    if not RiskScale.objects.exists():
        RiskScale.objects.create(size=5, medium_from=5, high_from=10, critical_from=15)


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(create_default_scale, migrations.RunPython.noop)]
