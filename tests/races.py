"""Running calls at the same moment on real threads, each with its own database connection.

Used by the race tests (marked ``postgres``): SQLite serialises every writer, so only PostgreSQL's
row locks show whether two users pressing at once can both win.
"""

import threading

from django.db import connection
from django.utils.translation import override

TIMEOUT = 30


def race(*calls) -> list:
    """Run each call on its own thread, released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            # The active language is per thread; messages are compared in English.
            with override("en"):
                outcomes[index] = call()
        except BaseException as exc:  # noqa: BLE001 - the test inspects whatever happened
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting, probably on a lock"
    return outcomes


def split(outcomes: list, winner_type: type, *refusals: type) -> tuple[list, list]:
    """The winners (instances of ``winner_type``) and the refusals; anything else fails the test."""
    winners = [o for o in outcomes if isinstance(o, winner_type)]
    refused = [o for o in outcomes if isinstance(o, refusals)]
    assert len(winners) + len(refused) == len(outcomes), outcomes
    return winners, refused


def one_winner(outcomes: list, winner_type: type):
    """Saves of one record opened at the same version: exactly one won, every other was refused as
    stale (iso/versioning.py). The winner and the first refusal."""
    from iso.versioning import StaleEdit

    winners, refused = split(outcomes, winner_type, StaleEdit)
    assert (len(winners), len(refused)) == (1, len(outcomes) - 1), outcomes
    return winners[0], refused[0]
