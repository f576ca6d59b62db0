"""The evidence pack builds from the demo organisation, verifies, and names any altered file."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import override

pytestmark = pytest.mark.django_db


def _rewrite(source, target, change):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            content = change(item.filename, old.read(item.filename))
            if content is not None:
                new.writestr(item, content)


def test_the_pack_of_the_demo_organisation_builds_verifies_and_names_any_altered_file(tmp_path):
    call_command("load_demo", verbosity=0)
    today = timezone.localdate()
    pack = tmp_path / "evidence.zip"
    call_command("build_evidence_pack", "--start", datetime.date(today.year - 1, 1, 1).isoformat(),
                 "--end", today.isoformat(), "--output", str(pack), stdout=io.StringIO())

    with zipfile.ZipFile(pack) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"01-master-list.pdf", "04-nonconformities.xlsx", "04-nonconformities.pdf", "05-on-time-report.pdf", "06-records-register.pdf"} <= names
    assert any(name.startswith("02-procedures/QT-06-rev") for name in names)
    assert {f"03-audits/programme-{today.year - 1}.pdf", f"03-audits/programme-{today.year}.pdf"} <= names
    assert any(name.endswith("-report.pdf") for name in names)
    assert {entry["name"] for entry in manifest["files"]} == names - {"manifest.json"}
    assert all(len(entry["sha256"]) == 64 and entry["description"] for entry in manifest["files"])

    out = io.StringIO()
    call_command("verify_evidence_pack", str(pack), stdout=out)
    assert "every file matches the manifest" in out.getvalue()

    altered = tmp_path / "altered.zip"
    _rewrite(pack, altered, lambda name, content: content + b"%tampered" if name == "01-master-list.pdf"
             else None if name == "04-nonconformities.xlsx" else content)
    err = io.StringIO()
    with override("en"), pytest.raises(CommandError, match="2 problem"):
        call_command("verify_evidence_pack", str(altered), stderr=err)
    assert err.getvalue().splitlines() == [
        "01-master-list.pdf was changed: its SHA-256 differs from the manifest.",
        "04-nonconformities.xlsx is missing.",
    ]
