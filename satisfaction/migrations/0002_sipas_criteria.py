"""Seed the criteria of the satisfaction survey with those of SIPAS (Decree 61/2018 art. 31).

The data is written out here, not imported from the app, so that this migration means the same
thing forever. The texts are English and marked for the translation catalogue, which gives them
in Vietnamese.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

CRITERIA = [
    (
        "return_time",
        gettext_noop("Return time against the rule"),
        gettext_noop("Was the result returned on or before the date the rules set?"),
    ),
    (
        "contacts",
        gettext_noop("Number of contacts needed"),
        gettext_noop("How satisfied are you with the number of times you had to come or get in touch?"),
    ),
    (
        "published_procedure",
        gettext_noop("Accuracy of the published procedure"),
        gettext_noop("Did the papers, fees and time limit match what is published?"),
    ),
    (
        "staff_attitude",
        gettext_noop("Staff attitude"),
        gettext_noop("How courteous and helpful were the staff who served you?"),
    ),
    (
        "costs",
        gettext_noop("Costs"),
        gettext_noop("Were you asked to pay only the fees the rules set?"),
    ),
    (
        "feedback_handling",
        gettext_noop("Handling of feedback"),
        gettext_noop("If you made a suggestion or complaint, how well was it received and answered?"),
    ),
]


def load(apps, schema_editor):
    Criterion = apps.get_model("satisfaction", "Criterion")
    for position, (code, name, question) in enumerate(CRITERIA, start=1):
        Criterion.objects.update_or_create(
            code=code, defaults={"name": name, "question": question, "position": position * 10, "is_active": True}
        )


def unload(apps, schema_editor):
    apps.get_model("satisfaction", "Criterion").objects.filter(code__in=[c[0] for c in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
