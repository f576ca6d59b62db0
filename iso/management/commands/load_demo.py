"""``manage.py load_demo``: the demo organisation, one login per role and the demo data of each app."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from iso.demo import DEMO_LOADERS, DEMO_PASSWORD, foreign_data, load_organisation


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


class Command(BaseCommand):
    help = (
        "Load the demo organisation, its logins and demo procedures; run again, it only adds what is missing. "
        "Refuses a database that holds data of its own (users, units or procedures not from the demo) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="load the demo even into a database that holds data not from the demo (never a real installation's)",
        )

    def handle(self, *args, force=False, **options):
        found = [] if force else foreign_data()
        if found:
            raise CommandError(
                _("This database holds data that is not the demo's: %(found)s. The demo adds logins whose password "
                  "is published, so nothing was loaded. Load the demo into a new database (for example "
                  "SQLITE_PATH=demo.sqlite3), or use --force if this database is only for trying the tool.")
                % {"found": "; ".join(found)}
            )
        before = _row_counts()
        with transaction.atomic():
            organisation = load_organisation()
            for path in DEMO_LOADERS:
                import_string(path)(organisation)
        after = _row_counts()
        if options["verbosity"] == 0:
            return

        created = [
            f"{apps.get_model(label)._meta.verbose_name_plural}: {after[label] - before.get(label, 0)}"
            for label in after
            if after[label] > before.get(label, 0)
        ]
        if created:
            self.stdout.write(_("Demo data loaded. New rows: %(rows)s.") % {"rows": "; ".join(created)})
        else:
            self.stdout.write(_("The demo data was already loaded; nothing new was created."))

        header = (_("Role"), _("Username"), _("Password"), _("Full name"))
        rows = [
            (", ".join(str(role.label) for role in roles), user.username, DEMO_PASSWORD, user.get_full_name())
            for roles, user in organisation.logins()
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("")
        for row in [header, *rows]:
            self.stdout.write("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[3]]))
        self.stdout.write(_("The password is for this demo only: never load the demo data into a real installation."))
