"""Backups and restores of the database and the uploaded files, with a manifest that proves them.

A backup is a folder:

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite,
  copied through SQLite's online backup API, which gives a consistent copy of a live WAL
  database where copying the file would not);
- ``media.tar.gz``: every uploaded and generated file under MEDIA_ROOT;
- ``manifest.json``: the size and SHA-256 of both, and the length and head hash of each log chain
  when the backup was taken.

A restore checks the manifest first (an altered backup file is refused, by name), then restores
into a new SQLite file or a new PostgreSQL database, never over the one in use; ``manage.py
verify_integrity --backup DIR`` then checks the restored data against the manifest.
"""

import datetime
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import chain
from .integrity import CHAINS

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRESQL_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"


class BackupError(Exception):
    """A backup or a restore cannot go on; the message says which file or step and why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def postgresql_binary(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: $PG_BIN_DIR, else the PATH, else the newest
    /usr/lib/postgresql/<version>/bin."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return candidates[-1]
    raise BackupError(f"{name} was not found; install the PostgreSQL client or set PG_BIN_DIR.")


def _postgresql_env(settings_dict: dict, database: str | None = None) -> dict:
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = database or settings_dict["NAME"]
    return env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


def chain_heads(using: str = "default") -> dict:
    """The length and head hash of each log chain now."""
    heads = {}
    for name, model in CHAINS.items():
        seq, head = model._base_manager.using(using).order_by("-pk").values_list("seq", "entry_hash").first() or (
            0, chain.GENESIS,
        )
        heads[name] = {"entries": seq, "head": head}
    return heads


def backup_create(output: Path, *, using: str = "default") -> dict:
    """Write a backup of the database and of MEDIA_ROOT into the new folder ``output``."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("A backup is taken outside any transaction, so that it holds committed data only.")
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty; a backup goes into a new folder.")
    output.mkdir(parents=True, exist_ok=True)
    # Read before the copy: the copy holds at least these entries, and the head hash must be there.
    heads = chain_heads(using)
    if connection.vendor == "sqlite":
        database_file = SQLITE_FILE
        connection.ensure_connection()
        target = sqlite3.connect(output / database_file)
        try:
            connection.connection.backup(target)
            # One self-contained file, whatever the journal mode of the live database.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        database_file = POSTGRESQL_FILE
        _run(
            [postgresql_binary("pg_dump"), "--format=custom", "--file", str(output / database_file)],
            _postgresql_env(connection.settings_dict),
        )
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(output / MEDIA_FILE, "w:gz") as archive:
        if media_root.is_dir():
            for entry in sorted(media_root.iterdir()):
                archive.add(entry, arcname=entry.name)
    manifest = {
        "format": 1,
        "created_at": chain.utc_iso(timezone.now()),
        "vendor": connection.vendor,
        "files": {
            name: {"bytes": (output / name).stat().st_size, "sha256": _sha256(output / name)}
            for name in (database_file, MEDIA_FILE)
        },
        "chains": heads,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def backup_check(backup: Path) -> dict:
    """Read the manifest of ``backup`` and check the size and SHA-256 of every file it lists."""
    try:
        manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{backup / MANIFEST} cannot be read: {error}") from None
    for name, expected in manifest["files"].items():
        path = backup / name
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup.")
        actual = _sha256(path)
        if actual != expected["sha256"]:
            raise BackupError(
                f"{path} was altered after the backup: its SHA-256 is {actual}, the manifest says {expected['sha256']}."
            )
    return manifest


def restore_media(backup: Path, media_root: Path) -> int:
    """Unpack the backup's files into ``media_root``, which must be empty or new."""
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty; files are restored into a new folder.")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / MEDIA_FILE, "r:gz") as archive:
        members = archive.getmembers()
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        archive.extractall(media_root, filter="data")
    return sum(1 for member in members if member.isfile())


def restore_sqlite(backup: Path, target: Path) -> None:
    """Write the backup's SQLite database to the new file ``target``."""
    if target.exists():
        raise BackupError(f"{target} exists; a restore writes a new file, never over a database.")
    source = sqlite3.connect(f"file:{backup / SQLITE_FILE}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def restore_postgresql(backup: Path, database: str, *, using: str = "default") -> None:
    """Create the database ``database`` on the server of ``using`` and restore the dump into it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise BackupError("A PostgreSQL backup is restored with DATABASE_URL pointing at the PostgreSQL server.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone():
            raise BackupError(f"Database {database} exists; a restore creates a new database, never over one.")
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(database)}")
    _run(
        [postgresql_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", database,
         str(backup / POSTGRESQL_FILE)],
        _postgresql_env(connection.settings_dict, database),
    )


def chains_match(manifest: dict, using: str = "default") -> list[str]:
    """Each restored chain still holds, at the position the backup recorded, the head it recorded
    (a restore that lost the end of a log shows here; the chain walk shows the rest)."""
    problems = []
    for name, recorded in manifest.get("chains", {}).items():
        model = CHAINS[name]
        if not recorded["entries"]:
            continue
        found = model._base_manager.using(using).filter(seq=recorded["entries"]).values_list("entry_hash", flat=True).first()
        if found != recorded["head"]:
            problems.append(
                f"{name}: entry {recorded['entries']} should have the hash {recorded['head']} recorded in the backup, "
                f"found {found or 'no such entry'}."
            )
    return problems


def default_backup_folder() -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BASE_DIR) / "backups" / f"iso-{stamp}"
