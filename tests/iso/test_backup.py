"""Backup and restore: a backup restores into a new database that verifies, and an altered backup,
an altered file or an altered log entry is found and named.

Each restore is verified the way the README says: ``manage.py verify_integrity`` in a separate
process whose SQLITE_PATH or DATABASE_URL and MEDIA_ROOT point at the restored copy.
"""

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from iso import trail
from iso.backup import MANIFEST, MEDIA_FILE, SQLITE_FILE
from iso.models import FieldChange, Signature, TransitionLog
from processes import services
from processes.models import ProcedureRevision
from records import services as record_services
from records.models import KeptRecord, RecordType
from tests.factories import ProcedureRevisionFactory, make_approved

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup path")


@pytest.fixture
def evidence(secretary, approver):
    """A little of everything a restore must bring back: transitions, field changes, a kept file."""
    revision = ProcedureRevisionFactory(author=secretary, purpose="Mục đích cũ")
    stored = ProcedureRevision.objects.get(pk=revision.pk)
    before = trail.snapshot(stored)
    stored.purpose = "Mục đích mới"
    stored.save()
    trail.record_changes(stored, before=before, by=secretary)
    make_approved(revision, approver=approver)
    record_type = RecordType.objects.create(code="HS-99-01", name="Biên bản họp", retention_years=5)
    record = record_services.kept_record_store(
        record_type=record_type, title="Biên bản", content="Biên bản họp xem xét".encode(), filename="bien-ban.txt",
        record_date=timezone.localdate(), by=secretary,
    )
    record_services.kept_record_transition(record=record, name="archive", by=secretary)
    return record


def _backup(folder: Path) -> dict:
    call_command("backup", output=folder, stdout=StringIO())
    return json.loads((folder / MANIFEST).read_text())


def _verify(env_overrides: dict, backup: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SQLITE_PATH", "MEDIA_ROOT")}
    env.update(DJANGO_SETTINGS_MODULE="iso.settings.base", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "verify_integrity", "--skip-checks", "--backup", str(backup)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def restored(evidence, tmp_path):
    """A SQLite backup restored into a new file and a new media folder."""
    backup = tmp_path / "backup"
    _backup(backup)
    database, media = tmp_path / "restored.sqlite3", tmp_path / "media"
    call_command("restore", backup, sqlite_path=database, media_root=media, stdout=StringIO())
    return backup, database, media


@sqlite_only
def test_a_sqlite_backup_restores_into_a_new_file_that_verifies(restored, evidence):
    backup, database, media = restored
    manifest = json.loads((backup / MANIFEST).read_text())

    result = _verify({"SQLITE_PATH": str(database), "MEDIA_ROOT": str(media)}, backup)

    assert result.returncode == 0, result.stderr
    assert f"transition log: {TransitionLog.objects.count()} entries verified." in result.stdout
    assert "field changes: 1 entries verified." in result.stdout
    assert "signatures: 1 entries verified." in result.stdout
    assert "1 SHA-256 checked" in result.stdout and "Integrity verified." in result.stdout
    assert set(manifest["files"]) == {SQLITE_FILE, MEDIA_FILE}
    assert manifest["chains"]["transition log"] == {
        "entries": TransitionLog.objects.count(), "head": TransitionLog.objects.order_by("-pk").first().entry_hash,
    }
    assert manifest["chains"]["field changes"]["entries"] == FieldChange.objects.count() == 1
    assert manifest["chains"]["signatures"]["entries"] == Signature.objects.count() == 1
    with sqlite3.connect(database) as restored_db:
        (sha,) = restored_db.execute("SELECT sha256 FROM records_keptrecord WHERE id = ?", [evidence.pk]).fetchone()
    assert sha == evidence.sha256


@sqlite_only
def test_an_altered_file_an_altered_entry_and_a_lost_end_of_log_in_a_restored_copy_are_each_named(restored, evidence):
    backup, database, media = restored
    (media / evidence.file.name).write_bytes(b"another minute")
    altered, last = TransitionLog.objects.order_by("pk")[1], TransitionLog.objects.order_by("-pk").first()
    with sqlite3.connect(database) as restored_db:
        restored_db.execute("UPDATE iso_transitionlog SET comment = 'backdated' WHERE id = ?", [altered.pk])
        restored_db.execute("DELETE FROM iso_transitionlog WHERE id = ?", [last.pk])

    result = _verify({"SQLITE_PATH": str(database), "MEDIA_ROOT": str(media)}, backup)

    assert result.returncode != 0
    assert f"records.KeptRecord {evidence.pk} (file: {evidence.file.name}): SHA-256 mismatch" in result.stderr
    assert f"Entry {altered.pk} (" in result.stderr and "content hash mismatch" in result.stderr
    # The chain walk stops at the first break; the manifest shows the end of the log is gone too.
    assert f"transition log: entry {last.seq} should have the hash {last.entry_hash}" in result.stderr


@sqlite_only
def test_an_altered_backup_is_refused_and_a_restore_never_writes_over_existing_data(evidence, tmp_path):
    backup = tmp_path / "backup"
    _backup(backup)
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", output=backup)
    existing = tmp_path / "live.sqlite3"
    existing.write_bytes(b"live data")
    with pytest.raises(CommandError, match="exists"):
        call_command("restore", backup, sqlite_path=existing, media_root=tmp_path / "media")
    assert existing.read_bytes() == b"live data"

    with (backup / SQLITE_FILE).open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\x00\xff")

    with pytest.raises(CommandError, match=f"{SQLITE_FILE} was altered after the backup"):
        call_command("restore", backup, sqlite_path=tmp_path / "new.sqlite3", media_root=tmp_path / "media")
    assert not (tmp_path / "new.sqlite3").exists()


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_a_new_database_that_verifies(evidence, tmp_path):
    backup = tmp_path / "backup"
    manifest = _backup(backup)
    assert manifest["vendor"] == "postgresql"
    source = connection.settings_dict
    target = f"{source['NAME']}_restored"
    _drop(target)
    try:
        call_command("restore", backup, database=target, media_root=tmp_path / "media", stdout=StringIO())
        credentials = source["USER"] + (f":{source['PASSWORD']}" if source.get("PASSWORD") else "")
        url = f"postgresql://{credentials}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{target}"

        result = _verify({"DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path / "media")}, backup)

        assert result.returncode == 0, result.stderr
        assert f"transition log: {TransitionLog.objects.count()} entries verified." in result.stdout
        assert "signatures: 1 entries verified." in result.stdout
        assert "Integrity verified." in result.stdout
        assert KeptRecord.objects.count() == 1
    finally:
        _drop(target)


def _drop(database: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(database)} WITH (FORCE)")
