"""manage.py verify_transition_log: walk the hash chains of the logs; non-zero at the first break."""

from django.core.management.base import BaseCommand, CommandError

from iso.integrity import verify_chains


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the transition log, of the field changes and of the electronic signatures, "
        "entry by entry in id order. "
        "Prints 'N entries verified' for each when intact; otherwise exits non-zero naming the first broken entry "
        "(its id, its object, and whether its content hash, its previous hash or its position is wrong)."
    )

    def handle(self, *args, **options):
        broken = []
        for report in verify_chains():
            if report.intact:
                self.stdout.write(f"{report.name}: {report.verified} entries verified (head {report.head[:16]}).")
            else:
                self.stdout.write(f"{report.name}: {report.verified} entries verified before the break.")
                broken.append(f"{report.name}: {report.problem}")
        if broken:
            raise CommandError("\n".join(broken))
