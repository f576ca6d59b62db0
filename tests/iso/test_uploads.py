"""Uploads: checked by size and by content, stored under random names with no URL, and downloaded
only through views that check the user's permission."""

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import override

from audits.models import ActionEvidence
from iso.models import Role
from iso.uploads import validate_upload
from processes.models import FormTemplate
from records import services as record_services
from records.models import KeptRecord, RecordType

from ..factories import FormTemplateFactory, ProcedureRevisionFactory, UserFactory, signed

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(60) + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/')</script></body></html>"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Sổ theo dõi"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document-content/>"})


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bien-ban.pdf", PDF),
        ("anh-chup.png", PNG),
        ("anh-chup.JPG", JPEG),
        ("mau-don.docx", DOCX),
        ("so-theo-doi.xlsx", _xlsx()),
        ("mau-don.odt", ODT),
        ("ghi-chu.txt", "Ghi chú: đã sửa mẫu sổ.".encode()),
        ("danh-sach.csv", "mã,tên\nBM.01,Đơn đăng ký\n".encode()),
    ],
)
def test_each_accepted_kind_passes_when_its_content_matches_its_name(name, content):
    validate_upload(_upload(name, content))


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("hop-dong.pdf", WINDOWS_PROGRAM, "a Windows program"),
        ("hop-dong.pdf", HTML, "an HTML page"),
        ("anh.png", PDF, "PDF"),
        ("mau-don.docx", _zip({"evil.exe": WINDOWS_PROGRAM}), "a ZIP archive"),
        ("so.xlsx", DOCX, "a ZIP archive"),
        ("ghi-chu.txt", HTML, "an HTML page"),
        ("ghi-chu.txt", WINDOWS_PROGRAM, "a Windows program"),
        ("ghi-chu.txt", b"\x00\x01\x02 sqlite format", "binary data"),
    ],
)
def test_a_disguised_file_is_refused_naming_the_file_and_what_it_really_is(name, content, looks_like):
    with override("en"), pytest.raises(ValidationError) as refused:
        validate_upload(_upload(name, content))
    [message] = refused.value.messages
    assert message.startswith(f"“{name}” is named as a ")
    assert f"its content is {looks_like}" in message


@pytest.mark.parametrize("name", ["setup.exe", "trang.html", "anh.svg", "no-extension"])
def test_a_kind_of_file_not_accepted_is_refused_whatever_its_content(name):
    with override("en"), pytest.raises(ValidationError, match="is not a kind of file accepted here"):
        validate_upload(_upload(name, PDF))


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_MEGABYTES = 1
    with override("en"), pytest.raises(ValidationError, match="the largest file accepted is 1 MB"):
        validate_upload(_upload("lon.pdf", PDF + bytes(1024 * 1024)))


def test_stored_files_have_no_url_and_live_outside_the_static_files():
    with pytest.raises(ValueError):
        default_storage.url("records/2026/x.pdf")
    media = settings.MEDIA_ROOT.resolve()
    for static in [settings.STATIC_ROOT, *getattr(settings, "STATICFILES_DIRS", [])]:
        static = type(media)(static).resolve()
        assert static not in media.parents and media != static and media not in static.parents


def test_the_media_folder_has_no_url_route(client, secretary):
    client.force_login(secretary)
    assert client.get("/media/records/2026/x.pdf").status_code == 404


# Kept records


@pytest.fixture
def record_type(db):
    return RecordType.objects.create(code="HS-99-01", name="Biên bản họp", retention_years=5)


def _store_through_the_page(client, record_type, upload):
    return client.post(
        reverse("records:kept_record_store"),
        {"record_type": record_type.pk, "title": "Biên bản", "record_date": "2026-01-05", "file": upload},
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_disguised_record_is_refused_with_a_message_naming_the_field(client, secretary, record_type):
    client.force_login(secretary)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    response = _store_through_the_page(client, record_type, _upload("bien-ban.pdf", WINDOWS_PROGRAM))
    assert _messages(response) == [
        "File: “bien-ban.pdf” is named as a PDF file, but its content is a Windows program; it was refused."
    ]
    assert not KeptRecord.objects.exists()


def test_a_record_is_stored_under_a_random_name_and_downloaded_under_its_own(client, secretary, record_type):
    client.force_login(secretary)
    _store_through_the_page(client, record_type, _upload("Biên bản họp.pdf", PDF))
    first = KeptRecord.objects.get()
    _store_through_the_page(client, record_type, _upload("Biên bản họp.pdf", PDF))
    second = KeptRecord.objects.exclude(pk=first.pk).get()

    assert first.original_filename == "Biên bản họp.pdf"
    assert first.file.name.startswith(f"records/{datetime.date.today():%Y}/") and first.file.name.endswith(".pdf")
    assert "Biên" not in first.file.name and first.file.name != second.file.name
    assert len(first.file.name.rsplit("/", 1)[1]) == 32 + len(".pdf")

    response = client.get(reverse("records:kept_record_file", args=[first.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_a_record_file_is_not_sent_to_someone_without_the_right(client, secretary, record_type):
    record = record_services.kept_record_store(
        record_type=record_type, title="Biên bản", content=PDF, filename="bb.pdf",
        record_date=datetime.date(2026, 1, 5), by=secretary,
    )
    client.force_login(UserFactory())  # no role at all
    assert client.get(reverse("records:kept_record_file", args=[record.pk])).status_code == 403


# Form templates of a revision


def _editor_data(**forms) -> dict:
    data = {
        "content-purpose": "Mục đích", "content-scope": "", "content-references": "", "content-definitions": "",
        "content-content": "", "content-change_summary": "", "content-edit_version": "0",
        "forms-TOTAL_FORMS": "1", "forms-INITIAL_FORMS": "0",
        "forms-0-code": "BM.01", "forms-0-title": "Đơn đăng ký", **forms,
    }
    for prefix in ("steps", "edges", "records"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_a_disguised_form_template_is_refused_on_its_field_in_the_editor(client, secretary):
    revision = ProcedureRevisionFactory(author=secretary)
    client.force_login(secretary)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    url = reverse("processes:revision_edit", args=[revision.procedure.code, revision.number])
    response = client.post(url, _editor_data(**{"forms-0-template_file": _upload("don.docx", HTML)}))
    assert response.status_code == 200
    [form] = response.context["forms_formset"].forms
    assert form.errors["template_file"] == [
        "“don.docx” is named as a DOCX file, but its content is an HTML page; it was refused."
    ]
    assert "Template file" in response.content.decode()
    assert not FormTemplate.objects.exists()


def test_a_form_template_is_kept_under_a_random_name_and_downloaded_by_readers(client, secretary, staff):
    # A revision in the making is read by the units that own the procedure.
    revision = ProcedureRevisionFactory(author=secretary, procedure__owner_unit=staff.unit)
    client.force_login(secretary)
    url = reverse("processes:revision_edit", args=[revision.procedure.code, revision.number])
    response = client.post(url, _editor_data(**{"forms-0-template_file": _upload("Đơn đăng ký.docx", DOCX)}))
    assert response.status_code == 302
    form = FormTemplate.objects.get()
    assert form.original_filename == "Đơn đăng ký.docx"
    assert form.template_file.name.startswith("forms/") and "Đơn" not in form.template_file.name
    assert "Đơn đăng ký.docx" in client.get(url).content.decode()  # the editor shows the name, not a link

    client.force_login(staff)
    download = client.get(reverse("processes:form_template_file", args=[revision.procedure.code, revision.number, "BM.01"]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    page = client.get(revision.get_absolute_url()).content.decode()
    assert reverse("processes:form_template_file", args=[revision.procedure.code, revision.number, "BM.01"]) in page


def test_a_form_without_a_file_has_nothing_to_download(client, secretary):
    form = FormTemplateFactory(revision=ProcedureRevisionFactory(author=secretary))
    client.force_login(secretary)
    url = reverse("processes:form_template_file", args=[form.revision.procedure.code, form.revision.number, form.code])
    assert client.get(url).status_code == 404


# Evidence of corrective actions


@pytest.fixture
def action_in_progress(secretary, unit):
    from audits import services as audit_services

    owner = UserFactory(username="ns", full_name="Ngô Sở Hữu", roles=[Role.STAFF], unit=unit)
    nonconformity = audit_services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description="Chậm")
    nonconformity = audit_services.nonconformity_analyse(
        nonconformity=nonconformity, by=secretary, correction="Sửa", whys=["Mẫu cũ"]
    )
    action = audit_services.corrective_action_plan(
        nonconformity=nonconformity, by=secretary, description="Cập nhật mẫu", owner=owner,
        due_date=datetime.date.today() + datetime.timedelta(days=10),
    )
    audit_services.nonconformity_transition(nonconformity=nonconformity, name="plan", by=secretary)
    audit_services.nonconformity_transition(nonconformity=nonconformity, name="accept_plan", by=secretary, signature=signed())
    return audit_services.corrective_action_start(action=action, by=owner)


def test_disguised_evidence_is_refused_with_a_message_naming_the_field(client, secretary, action_in_progress):
    nonconformity = action_in_progress.nonconformity
    client.force_login(secretary)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    response = client.post(
        reverse("audits:nonconformity_action", args=[nonconformity.reference, "evidence"]),
        {"action": action_in_progress.pk, "file": _upload("anh.jpg", WINDOWS_PROGRAM)},
    )
    assert _messages(response) == [
        "File: “anh.jpg” is named as a JPEG file, but its content is a Windows program; it was refused."
    ]
    assert not ActionEvidence.objects.exists()


def test_evidence_is_downloaded_through_its_nonconformity_only(client, secretary, action_in_progress):
    nonconformity = action_in_progress.nonconformity
    client.force_login(secretary)
    client.post(
        reverse("audits:nonconformity_action", args=[nonconformity.reference, "evidence"]),
        {"action": action_in_progress.pk, "file": _upload("ảnh sổ mới.png", PNG), "description": "Sổ mới"},
    )
    evidence = ActionEvidence.objects.get()
    assert evidence.original_filename == "ảnh sổ mới.png" and evidence.file.name.startswith("evidence/")
    url = reverse("audits:evidence_file", args=[nonconformity.reference, evidence.pk])
    assert url in client.get(nonconformity.get_absolute_url()).content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert response["Content-Disposition"].startswith("attachment;")

    from audits import services as audit_services

    other = audit_services.nonconformity_raise(by=secretary, source="complaint", unit=nonconformity.unit, description="Khác")
    assert client.get(reverse("audits:evidence_file", args=[other.reference, evidence.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_a_record_refused_by_the_service_leaves_no_file_behind(secretary, record_type):
    with override("en"), pytest.raises(ValidationError) as refused:
        record_services.kept_record_store(
            record_type=record_type, title="Biên bản", content=HTML, filename="bb.pdf",
            record_date=datetime.date(2026, 1, 5), by=secretary,
        )
    assert refused.value.message_dict == {
        "file": ["“bb.pdf” is named as a PDF file, but its content is an HTML page; it was refused."]
    }
    folder = settings.MEDIA_ROOT / "records"
    assert not KeptRecord.objects.exists()
    assert not folder.exists() or not any(path.suffix == ".pdf" and path.read_bytes() == HTML for path in folder.rglob("*"))


# Files of a transaction that rolls back


def _stored_record(secretary, record_type, **fields):
    return record_services.kept_record_store(
        record_type=record_type, content=b"%PDF-1.4 bien ban", filename="bb.pdf", record_date=datetime.date(2026, 1, 5),
        by=secretary, **{"title": "Biên bản", **fields},
    )


def test_a_file_stored_in_a_transaction_that_then_rolls_back_is_removed(secretary, record_type):
    with pytest.raises(RuntimeError), transaction.atomic():
        record = _stored_record(secretary, record_type)
        path = Path(record.file.path)
        assert path.read_bytes() == b"%PDF-1.4 bien ban"  # written at once: its hash was taken from it
        raise RuntimeError("a later step of the same use case fails")

    assert not path.exists()
    assert not KeptRecord.objects.exists()


def test_a_file_refused_by_a_check_after_it_was_written_is_removed(secretary, record_type):
    # The title is checked after the file is stored; the service's transaction rolls back.
    with pytest.raises(ValidationError):
        _stored_record(secretary, record_type, title="x" * 301)

    assert not KeptRecord.objects.exists()
    assert not [path for path in (settings.MEDIA_ROOT / "records").rglob("*") if path.is_file() and path.read_bytes() == b"%PDF-1.4 bien ban"]


def test_only_the_files_of_the_savepoint_that_rolls_back_are_removed(secretary, record_type, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = _stored_record(secretary, record_type)
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = _stored_record(secretary, record_type, title="Biên bản hủy")
            raise RuntimeError("this step fails")

    assert Path(kept.file.path).exists()
    assert not Path(lost.file.path).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_file_of_a_committed_transaction_stays(secretary, record_type):
    record = _stored_record(secretary, record_type)

    assert Path(KeptRecord.objects.get(pk=record.pk).file.path).read_bytes() == b"%PDF-1.4 bien ban"
