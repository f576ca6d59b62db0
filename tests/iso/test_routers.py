"""The replica router: dashboards' and exports' reads go to the replica when one is configured."""

import pytest
from django.urls import reverse

from cases.models import Case
from iso.models import Job
from iso.routers import ReplicaRouter, reads_from_replica, replica_reads

router = ReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.READ_REPLICA = "replica"


def test_reads_marked_for_the_replica_go_there_when_one_is_configured(with_replica):
    with replica_reads():
        assert router.db_for_read(Case) == "replica"
    assert router.db_for_read(Case) is None


def test_without_a_replica_every_read_stays_on_the_primary():
    with replica_reads():
        assert router.db_for_read(Case) is None


def test_writes_always_go_to_the_primary_even_for_objects_read_from_the_replica(with_replica):
    instance = Job()
    instance._state.db = "replica"
    with replica_reads():
        assert router.db_for_write(Job, instance=instance) == "default"


def test_the_replica_is_never_migrated(with_replica):
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is True


def test_without_a_replica_migrations_are_left_to_the_default_rules():
    assert router.allow_migrate("default", "cases") is True


def test_a_marked_view_reads_from_the_replica_only_while_it_runs(with_replica):
    seen = []

    @reads_from_replica
    def view(request):
        seen.append(router.db_for_read(Case))

    view(None)
    assert seen == ["replica"] and router.db_for_read(Case) is None


@pytest.mark.django_db
def test_the_dashboard_and_its_export_read_through_the_replica_route(client, secretary):
    # Without a replica the marked pages still answer from the primary.
    client.force_login(secretary)
    assert client.get(reverse("cases:dashboard")).status_code == 200
    assert client.get(reverse("cases:dashboard_export", args=["csv"])).status_code == 200
