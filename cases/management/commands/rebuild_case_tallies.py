"""Recount the dashboard's case and step tallies from the cases (after a bulk load, a restore or a
change of TIME_ZONE); the triggers that keep them are created again first."""

import time

from django.core.management.base import BaseCommand

from cases import tallies


class Command(BaseCommand):
    help = "Recount the case and step tallies the on-time dashboard reads, from the cases themselves."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        started = time.perf_counter()
        tallies.install(using=database)
        cases, steps = tallies.rebuild(using=database)
        self.stdout.write(
            f"{cases:,} case tally rows and {steps:,} step tally rows in {time.perf_counter() - started:.1f} s"
        )
