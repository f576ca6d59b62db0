"""Two people saving the same day of the working calendar in the admin at the same moment, each with
their own browser session and PostgreSQL connection."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from iso.models import CalendarDay, Role
from tests.factories import UserFactory
from tests.races import race

pytestmark = [
    pytest.mark.postgres,
    # Every transactional test restores the data of the migrations (roles, clauses) for the next one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

#: Rounds of the race, run inside one test: a lost update shows up only now and then.
ROUNDS = 50
STALE = "was changed by"


def test_two_secretaries_saving_the_same_calendar_day_in_the_admin_at_once_never_overwrite_each_other(unit):
    secretaries = [
        UserFactory(username=f"thuky{n}", full_name=f"Thư ký {n}", roles=[Role.ISO_SECRETARY], unit=unit, is_staff=True)
        for n in (1, 2)
    ]
    clients = []
    for secretary in secretaries:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(secretary)
        clients.append(client)
    day = CalendarDay.objects.create(date=datetime.date(2026, 9, 2), name="Quốc khánh")
    url = reverse("admin:iso_calendarday_change", args=[day.pk])

    for round_ in range(ROUNDS):
        version = CalendarDay.objects.get(pk=day.pk).edit_version

        def save(client, name):
            return client.post(url, {"date": "2026-09-02", "kind": "holiday", "name": name, "edit_version": version})

        responses = race(*(lambda c=client, n=f"Quốc khánh ({round_}, {i})": save(c, n) for i, client in enumerate(clients)))

        saved = [r for r in responses if getattr(r, "status_code", None) == 302]
        refused = [r for r in responses if getattr(r, "status_code", None) == 200 and STALE in r.content.decode()]
        assert (len(saved), len(refused)) == (1, 1), responses
        stored = CalendarDay.objects.select_related("edited_by").get(pk=day.pk)
        assert stored.edit_version == version + 1
        assert stored.name in {f"Quốc khánh ({round_}, 0)", f"Quốc khánh ({round_}, 1)"}
        assert f"Calendar day “{stored}” was changed by {stored.edited_by.get_full_name()} at " in refused[0].content.decode()
