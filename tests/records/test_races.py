"""Two secretaries saving the same record type at the same moment, on real PostgreSQL connections."""

import pytest
from django.db import connection

from iso.models import Role
from records import services
from records.models import RecordType
from tests.factories import UserFactory
from tests.races import one_winner, race

pytestmark = [
    pytest.mark.postgres,
    # Every transactional test restores the data of the migrations (roles, clauses) for the next one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

#: Rounds of the race, run inside one test: a lost update shows up only now and then.
ROUNDS = 50


def test_two_secretaries_editing_the_same_record_type_at_once_never_overwrite_each_other(secretary, unit):
    other = UserFactory(roles=[Role.ISO_SECRETARY], unit=unit)
    record_type = RecordType.objects.create(code="HS-01-01", name="Sổ theo dõi", retention_years=5)
    for round_ in range(ROUNDS):
        version = RecordType.objects.get(pk=record_type.pk).edit_version
        outcomes = race(
            lambda: services.record_type_update(
                record_type=record_type, by=secretary, location=f"Kho A ({round_})", retention_years=10,
                edit_version=version,
            ),
            lambda: services.record_type_update(
                record_type=record_type, by=other, location=f"Kho B ({round_})", retention_years=2, edit_version=version
            ),
        )

        winner, refusal = one_winner(outcomes, RecordType)
        stored = RecordType.objects.select_related("edited_by").get(pk=record_type.pk)
        assert (stored.location, stored.retention_years, stored.edit_version) == (
            winner.location, winner.retention_years, version + 1,
        )
        assert refusal.messages[0].startswith(
            f"Record type “HS-01-01 Sổ theo dõi” was changed by {stored.edited_by.get_full_name()} at "
        ), refusal.messages
