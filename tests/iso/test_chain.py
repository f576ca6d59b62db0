"""The hash chain of the transition log: each entry is chained to the one before it, and any entry
edited, removed or inserted behind the application's back is found and named."""

import threading
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from iso import chain
from iso.integrity import verify_chain, verify_chains
from iso.models import AppendOnlyQuerySet, FieldChange, OrgUnit, Signature, SignatureQuerySet, TransitionLog
from processes import services
from tests.factories import ProcedureRevisionFactory, make_approved, make_in_review, signed

pytestmark = pytest.mark.django_db


def _entry(actor, *, comment="", transition="submit") -> TransitionLog:
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(OrgUnit), object_id=actor.unit_id, object_repr="VP",
        transition=transition, source="draft", target="in_review", actor=actor, comment=comment,
    )


@pytest.fixture
def entries(secretary):
    return [_entry(secretary, comment=f"entry {n}") for n in range(1, 5)]


def _tamper(sql: str, params=()) -> None:
    """Change the log behind the application's back, as someone with database access could.

    On PostgreSQL the append-only triggers refuse that even to the owner, so the test session
    (a superuser) disables triggers for the rest of its own transaction first.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _verify() -> str:
    out = StringIO()
    call_command("verify_transition_log", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as error:
        _verify()
    return str(error.value)


def test_each_entry_carries_its_position_and_the_hash_of_the_one_before(entries):
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].previous_hash == chain.GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.previous_hash == before.entry_hash
    stored = TransitionLog.objects.get(pk=entries[2].pk)
    assert stored.entry_hash == stored.compute_hash() == entries[2].entry_hash


def test_the_hash_covers_the_content_in_utc_whatever_the_time_zone(entries, settings):
    settings.TIME_ZONE = "UTC"
    stored = TransitionLog.objects.get(pk=entries[0].pk)
    assert stored.compute_hash() == entries[0].entry_hash
    payload = TransitionLog.chain_payload({name: getattr(stored, name) for name in TransitionLog.chain_fields})
    assert payload["content_type"] == "iso.orgunit"
    assert payload["at"].endswith("+00:00")
    assert set(payload) == {
        "seq", "content_type", "object_id", "object_repr", "transition", "source", "target", "actor", "at", "comment",
    }


def test_an_intact_log_is_reported_with_the_number_of_entries_verified(entries):
    assert "transition log: 4 entries verified" in _verify()


def test_transitions_through_the_services_extend_the_chain(secretary, approver):
    revision = make_in_review(ProcedureRevisionFactory(author=secretary))
    services.revision_approve(revision=revision, by=approver, signature=signed())

    report = verify_chain(TransitionLog)
    assert report.intact and report.verified == TransitionLog.objects.count() == 2


def test_a_bulk_insert_extends_the_chain_in_order(entries, secretary):
    content_type = ContentType.objects.get_for_model(OrgUnit)
    TransitionLog.objects.bulk_create(
        TransitionLog(content_type=content_type, object_id=1, object_repr="VP", transition="t", source="a", target="b",
                      actor=secretary, comment=f"bulk {n}")
        for n in range(3)
    )

    assert list(TransitionLog.objects.order_by("pk").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert verify_chain(TransitionLog).verified == 7


def test_a_bulk_insert_cannot_overwrite_or_skip_entries(entries, secretary):
    with pytest.raises(TypeError, match="append-only"):
        TransitionLog.objects.bulk_create([TransitionLog(pk=entries[0].pk)], ignore_conflicts=True)


def test_an_entry_edited_in_the_database_is_named_with_a_content_hash_mismatch(entries):
    _tamper("UPDATE iso_transitionlog SET comment = %s WHERE id = %s", ["rewritten", entries[1].pk])

    message = _broken()

    assert f"Entry {entries[1].pk} (iso.orgunit #{entries[1].object_id}, 'VP')" in message
    assert "content hash mismatch" in message


def test_an_entry_whose_actor_or_time_was_changed_is_named(entries, approver):
    _tamper("UPDATE iso_transitionlog SET actor_id = %s WHERE id = %s", [approver.pk, entries[2].pk])

    assert f"Entry {entries[2].pk} " in _broken()


def test_an_entry_rewritten_with_its_hash_recomputed_breaks_the_link_of_the_next_one(entries):
    forged = TransitionLog.objects.get(pk=entries[1].pk)
    forged.comment = "rewritten"
    _tamper(
        "UPDATE iso_transitionlog SET comment = %s, entry_hash = %s WHERE id = %s",
        ["rewritten", forged.compute_hash(), forged.pk],
    )

    message = _broken()

    assert f"Entry {entries[2].pk} " in message
    assert "previous-hash mismatch" in message and f"entry {entries[1].pk}" in message


def test_a_deleted_entry_is_named_as_a_gap(entries):
    _tamper("DELETE FROM iso_transitionlog WHERE id = %s", [entries[1].pk])

    message = _broken()

    assert f"Entry {entries[2].pk} " in message
    assert f"gap: position 2 missing after entry {entries[0].pk}" in message


def test_deleting_the_first_entries_is_a_gap_at_the_start(entries):
    _tamper("DELETE FROM iso_transitionlog WHERE id IN (%s, %s)", [entries[0].pk, entries[1].pk])

    assert "gap: positions 1 to 2 missing at the start" in _broken()


def test_an_inserted_entry_is_named(entries, secretary):
    _tamper(
        "INSERT INTO iso_transitionlog (seq, previous_hash, entry_hash, content_type_id, object_id, object_repr, "
        "transition, source, target, actor_id, at, comment) "
        "SELECT 5, %s, %s, content_type_id, object_id, 'VP', 'approve', 'in_review', 'approved', actor_id, at, '' "
        "FROM iso_transitionlog WHERE id = %s",
        ["f" * 64, "e" * 64, entries[0].pk],
    )
    inserted = TransitionLog.objects.get(seq=5)

    message = _broken()

    assert f"Entry {inserted.pk} " in message and "previous-hash mismatch" in message


def test_entries_appended_after_a_forgery_do_not_hide_it(entries, secretary):
    _tamper("UPDATE iso_transitionlog SET comment = %s WHERE id = %s", ["rewritten", entries[0].pk])
    _entry(secretary, comment="later")

    assert f"Entry {entries[0].pk} " in _broken()


def test_the_chain_is_intact_after_the_demo_data_loads():
    call_command("load_demo", stdout=StringIO())

    reports = verify_chains()
    assert all(report.intact for report in reports), [report.problem for report in reports]
    assert reports[0].verified == TransitionLog.objects.count() > 0
    out = StringIO()
    call_command("verify_integrity", stdout=out)
    assert "Integrity verified." in out.getvalue()


# The electronic signatures: a chain of their own, checked by the same commands


@pytest.fixture
def signatures(secretary, approver):
    for _n in range(3):
        make_approved(ProcedureRevisionFactory(author=secretary), approver=approver)
    return list(Signature.objects.order_by("pk"))


def _signature_entry(signature: Signature) -> str:
    return f"Entry {signature.pk} (processes.procedurerevision #{signature.object_id}, {signature.object_repr!r})"


def test_signatures_are_chained_each_to_the_one_before(signatures):
    assert [s.seq for s in signatures] == [1, 2, 3]
    assert signatures[0].previous_hash == chain.GENESIS
    assert [s.previous_hash for s in signatures[1:]] == [s.entry_hash for s in signatures[:2]]
    assert signatures[1].compute_hash() == signatures[1].entry_hash
    assert set(Signature.chain_payload({name: getattr(signatures[0], name) for name in Signature.chain_fields})) == {
        "seq", "content_type", "object_id", "object_repr", "action", "meaning", "signer", "signer_name", "signer_title",
        "signer_roles", "signed_at", "content_sha256", "content",
    }
    assert "signatures: 3 entries verified" in _verify()


def test_a_signature_row_edited_in_the_database_is_named(signatures):
    _tamper("UPDATE iso_signature SET meaning = 'reviewed' WHERE id = %s", [signatures[1].pk])

    message = _broken()

    assert f"signatures: {_signature_entry(signatures[1])}: content hash mismatch" in message


def test_a_signature_whose_signed_content_and_hash_were_both_rewritten_is_named(signatures):
    # The forger recomputes the content's SHA-256, so the page would show the signature valid:
    # only the chain tells.
    _tamper(
        "UPDATE iso_signature SET content = '{}', content_sha256 = %s WHERE id = %s",
        ["44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", signatures[0].pk],
    )

    assert f"signatures: {_signature_entry(signatures[0])}: content hash mismatch" in _broken()


def test_a_deleted_signature_is_named_as_a_gap(signatures):
    _tamper("DELETE FROM iso_signature WHERE id = %s", [signatures[1].pk])

    message = _broken()

    assert f"signatures: {_signature_entry(signatures[2])}: gap: position 2 missing after entry {signatures[0].pk}" in message


def test_signatures_are_append_only_through_the_same_queryset_as_the_logs(signatures):
    assert issubclass(SignatureQuerySet, AppendOnlyQuerySet)
    with pytest.raises(TypeError, match="append-only"):
        Signature.objects.filter(pk=signatures[0].pk).update(meaning="reviewed")
    with pytest.raises(TypeError, match="append-only"):
        Signature.objects.bulk_create([Signature(pk=signatures[0].pk)], ignore_conflicts=True)
    assert verify_chain(Signature).verified == 3


# PostgreSQL: the database refuses changes, and concurrent appends never fork the chain.


def _refused(*statements: str):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_the_logs(entries, secretary):
    FieldChange.objects.create(
        content_type=ContentType.objects.get_for_model(OrgUnit), object_id=secretary.unit_id, object_repr="VP",
        field_name="name", old_value="a", new_value="b", actor=secretary,
    )
    make_approved(ProcedureRevisionFactory(author=secretary))
    for table in ("iso_transitionlog", "iso_fieldchange", "iso_signature"):
        _refused(f"UPDATE {table} SET object_repr = 'forged'")
        _refused(f"DELETE FROM {table}")
    assert TransitionLog.objects.count() == 6
    assert all(report.intact for report in verify_chains())
    assert verify_chain(Signature).verified == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_refuses_truncate_of_the_logs(entries):
    for table in ("iso_transitionlog", "iso_fieldchange", "iso_signature"):
        # The test settings let Django's test runner truncate; a session that has not asked cannot.
        _refused("SET LOCAL iso.allow_log_truncate = 'off'", f"TRUNCATE {table} CASCADE")
    assert TransitionLog.objects.count() == 4


ROUNDS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_never_fork_the_chain(secretary):
    def append(barrier, n):
        try:
            barrier.wait()
            with transaction.atomic():
                _entry(secretary, comment=f"thread {n}")
        finally:
            connection.close()

    for _round in range(ROUNDS):
        barrier = threading.Barrier(3, timeout=30)
        threads = [threading.Thread(target=append, args=(barrier, n)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    report = verify_chain(TransitionLog)
    assert report.intact, report.problem
    assert report.verified == TransitionLog.objects.count() == 3 * ROUNDS
