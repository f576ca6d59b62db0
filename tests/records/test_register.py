"""The records register (clause 7.5.3): types from the procedures, kept records with their hash and
retention, and disposal only under an approved minute, never by deleting anything."""

import datetime
import hashlib
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from pypdf import PdfReader

from iso.models import Role, TransitionLog
from iso.signatures import SignatureRefused, signatures_checked
from iso.workflows import TransitionRefused, transition_apply
from records import services
from records.models import DisposalMinute, KeptRecord, RecordType

from ..factories import (
    ProcedureFactory,
    ProcedureRevisionFactory,
    RecordToKeepFactory,
    UserFactory,
    make_effective,
    signed,
    signed_post,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = datetime.date(2010, 3, 15)


@pytest.fixture
def effective_procedure(unit, secretary, approver):
    procedure = ProcedureFactory(code="QT-06", title="Đăng ký khai sinh", owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
    RecordToKeepFactory(revision=revision, position=1, name="Sổ đăng ký khai sinh", keeper="Công chức tư pháp", retention_years=None)
    RecordToKeepFactory(revision=revision, position=2, name="Phiếu kiểm soát", keeper="Bộ phận một cửa", retention_years=5)
    make_effective(revision, approver=approver, publisher=secretary)
    return procedure


@pytest.fixture
def record_type(db):
    return RecordType.objects.create(code="HS-99-01", name="Biên bản họp", retention_years=5)


def _store(record_type, by, *, record_date=LONG_AGO, content=b"%PDF-1.4 test", title="Biên bản"):
    return services.kept_record_store(
        record_type=record_type, title=title, content=content, filename="bien-ban.pdf", record_date=record_date, by=by
    )


def _due(record_type, secretary, **kwargs):
    record = _store(record_type, secretary, **kwargs)
    record = services.kept_record_transition(record=record, name="archive", by=secretary)
    return services.kept_record_transition(record=record, name="mark_due", by=secretary)


def test_sync_creates_one_type_per_record_of_effective_revisions_and_twice_changes_nothing(effective_procedure, secretary):
    draft = ProcedureRevisionFactory(procedure=ProcedureFactory(code="QT-07"), author=secretary)
    RecordToKeepFactory(revision=draft, name="Không đồng bộ")  # a draft's records are not yet kept

    result = services.record_types_sync(by=secretary)

    assert (result.created, result.updated) == (2, 0)
    types = list(RecordType.objects.order_by("code").values_list("code", "name", "keeper", "retention_years", "procedure__code"))
    assert types == [
        ("HS-06-01", "Sổ đăng ký khai sinh", "Công chức tư pháp", None, "QT-06"),
        ("HS-06-02", "Phiếu kiểm soát", "Bộ phận một cửa", 5, "QT-06"),
    ]
    before = list(RecordType.objects.order_by("pk").values())
    again = services.record_types_sync(by=secretary)
    assert (again.created, again.updated) == (0, 0)
    assert list(RecordType.objects.order_by("pk").values()) == before


def test_sync_keeps_the_secretarys_edits_and_follows_the_procedures_retention(effective_procedure, secretary):
    services.record_types_sync(by=secretary)
    record_type = RecordType.objects.get(code="HS-06-02")
    services.record_type_update(record_type=record_type, by=secretary, name="Phiếu KS", location="Tủ 3")
    effective_procedure.revisions.get().records_to_keep.filter(name="Phiếu kiểm soát").update(retention_years=10)

    assert services.record_types_sync(by=secretary).updated == 1

    record_type.refresh_from_db()
    assert (record_type.name, record_type.location, record_type.retention_years) == ("Phiếu KS", "Tủ 3", 10)
    assert RecordType.objects.count() == 2


def test_storing_a_record_computes_the_sha256_of_its_file(record_type, secretary):
    content = "%PDF-1.4 Biên bản họp xem xét của lãnh đạo".encode()
    record = _store(record_type, secretary, content=content)

    assert record.sha256 == hashlib.sha256(content).hexdigest()
    with record.file.open("rb") as stored:
        assert stored.read() == content
    assert record.reference == "HS-99-01-0001"
    assert _store(record_type, secretary).reference == "HS-99-01-0002"


def test_retention_end_is_the_record_date_plus_the_years_and_none_when_permanent(record_type, secretary):
    assert _store(record_type, secretary, record_date=datetime.date(2024, 2, 29)).retention_end == datetime.date(2029, 2, 28)
    permanent = RecordType.objects.create(code="HS-99-02", name="Sổ gốc", retention_years=None)
    assert _store(permanent, secretary).retention_end is None


def test_mark_due_before_the_retention_end_is_refused_and_names_the_date(record_type, secretary):
    record = _store(record_type, secretary, record_date=TODAY)
    record = services.kept_record_transition(record=record, name="archive", by=secretary)

    with override("en"), pytest.raises(TransitionRefused) as refused:
        services.kept_record_transition(record=record, name="mark_due", by=secretary)

    end = record.retention_end
    assert end == TODAY.replace(year=TODAY.year + 5)
    assert end.strftime("%m/%d/%Y") in refused.value.message
    assert refused.value.message.startswith(f"{record.reference} must be kept until")
    record.refresh_from_db()
    assert record.state == KeptRecord.State.ARCHIVED


def test_dispose_by_the_person_who_marked_it_due_is_refused(record_type, approver, secretary):
    record_type_ = record_type
    record = _store(record_type_, secretary)
    record = transition_apply(record, "archive", by=secretary)
    # An approver who also holds the secretary's rights marks it due; they may not then dispose of it.
    approver.groups.add(*secretary.groups.all())
    approver = type(approver).objects.get(pk=approver.pk)
    record = transition_apply(record, "mark_due", by=approver)

    with override("en"), pytest.raises(TransitionRefused) as refused:
        services.disposal_approve(records=[record], by=approver, method="Nghiền", signature=signed())

    assert "You marked" in refused.value.message and record.reference in refused.value.message
    assert not DisposalMinute.objects.exists()


def test_disposal_with_one_record_not_due_writes_nothing_and_names_it(record_type, secretary, approver):
    due = _due(record_type, secretary)
    kept = _store(record_type, secretary, title="Còn lưu")
    logs_before = TransitionLog.objects.count()

    with override("en"), pytest.raises(ValidationError) as refused:
        services.disposal_approve(records=[due, kept], by=approver, method="Nghiền", signature=signed())

    assert kept.reference in refused.value.messages[0] and "not due for disposal" in refused.value.messages[0]
    assert not DisposalMinute.objects.exists()
    assert TransitionLog.objects.count() == logs_before
    due.refresh_from_db()
    assert due.state == KeptRecord.State.DUE_FOR_DISPOSAL and due.disposal_minute is None


def test_disposal_keeps_the_record_its_metadata_and_hash_under_the_minute(record_type, secretary, approver):
    records = [_due(record_type, secretary, title=f"Biên bản {n}") for n in range(2)]
    snapshot = {r.pk: (r.reference, r.title, r.sha256, r.file.name, r.record_date, r.retention_end) for r in records}

    minute = services.disposal_approve(records=records, by=approver, method="Nghiền giấy", members="Ông A, Bà B", signature=signed())

    assert minute.number == f"BB-{TODAY.year}-01"
    assert minute.approved_by == approver
    for record in KeptRecord.objects.filter(pk__in=snapshot):
        assert record.state == KeptRecord.State.DISPOSED and record.disposal_minute == minute
        assert (record.reference, record.title, record.sha256, record.file.name, record.record_date, record.retention_end) == snapshot[record.pk]
        assert TransitionLog.objects.for_object(record).filter(transition="dispose", actor=approver).exists()
    with pytest.raises(TransitionRefused):
        services.kept_record_transition(record=records[0], name="dispose", by=approver)


def test_the_minute_pdf_lists_the_record_codes(client, record_type, secretary, approver):
    records = [_due(record_type, secretary, title=f"Biên bản số {n}") for n in range(3)]
    minute = services.disposal_approve(records=records, by=approver, method="Nghiền giấy", signature=signed())
    client.force_login(approver)

    with override("en"):
        response = client.get(reverse("records:minute_print", args=[minute.number]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(response.content)).pages)
    for record in records:
        assert record.reference in text
        assert record.sha256[:12] in text
    assert minute.number in text and "Biên bản số 0" in text


def test_the_register_prints_every_type_with_its_keeper_retention_and_count(client, effective_procedure, secretary):
    services.record_types_sync(by=secretary)
    control = RecordType.objects.get(code="HS-06-02")
    services.record_type_update(record_type=control, by=secretary, location="Tủ số 3", disposal_method="Nghiền giấy")
    for _n in range(2):
        _store(control, secretary)
    client.force_login(secretary)

    with override("vi"):
        response = client.get(reverse("records:record_type_print"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="records-register-{TODAY:%Y%m%d}.pdf"'
    text = "\n".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "DANH MỤC HỒ SƠ CHẤT LƯỢNG" in text.upper()
    for expected in ("HS-06-01", "Sổ đăng ký khai sinh", "Vĩnh viễn", "HS-06-02", "Bộ phận một cửa", "Tủ số 3",
                     "5 năm", "Nghiền giấy", "QT-06"):
        assert expected in text, expected


def test_a_record_type_saved_on_an_older_page_is_refused_on_the_form_and_the_other_kept(client, secretary, unit):
    other = UserFactory(username="thuky2", full_name="Lê Thị Thư Ký Hai", roles=[Role.ISO_SECRETARY], unit=unit)
    record_type = RecordType.objects.create(code="HS-01-01", name="Sổ theo dõi", retention_years=5)
    url = reverse("records:record_type_edit", args=[record_type.pk])
    client.force_login(secretary)
    opened = client.get(url).context["form"]["edit_version"].value()
    services.record_type_update(record_type=record_type, by=other, location="Kho lưu trữ tầng 2", edit_version=opened)

    response = client.post(url, {"code": "HS-01-01", "name": "Sổ theo dõi", "location": "Tủ hồ sơ",
                                 "retention_years": 10, "edit_version": opened}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    with override("en"):
        errors = response.context["form"].non_field_errors()
    assert errors[0].startswith("Record type “HS-01-01 Sổ theo dõi” was changed by Lê Thị Thư Ký Hai at ")
    stored = RecordType.objects.get(pk=record_type.pk)
    assert (stored.location, stored.retention_years, stored.edit_version) == ("Kho lưu trữ tầng 2", 5, 1)


def test_a_synchronisation_refuses_a_record_type_form_opened_before_it(effective_procedure, secretary):
    services.record_types_sync(by=secretary)
    record_type = RecordType.objects.get(code="HS-06-02")
    opened = record_type.edit_version
    # The procedure's retention changes (straight in the table: a new revision would do the same).
    revision = effective_procedure.revisions.get(state="effective")
    revision.records_to_keep.filter(name="Phiếu kiểm soát").update(retention_years=7)
    services.record_types_sync(by=secretary)

    with pytest.raises(ValidationError):
        services.record_type_update(record_type=record_type, by=secretary, retention_years=5, edit_version=opened)
    assert RecordType.objects.get(pk=record_type.pk).retention_years == 7


def test_the_pages_answer(client, effective_procedure, secretary, approver):
    client.force_login(secretary)
    assert client.post(reverse("records:record_type_sync")).status_code == 302
    record_type = RecordType.objects.get(code="HS-06-02")
    assert client.get(reverse("records:record_type_list")).status_code == 200
    response = client.post(reverse("records:record_type_edit", args=[record_type.pk]), {
        "code": "HS-06-02", "name": "Phiếu kiểm soát", "keeper": "Một cửa", "location": "Kho", "retention_years": 1,
        "disposal_method": "Nghiền", "edit_version": record_type.edit_version,
    })
    assert response.status_code == 302
    record = _due(RecordType.objects.get(pk=record_type.pk), secretary)
    assert client.get(reverse("records:kept_record_list"), {"state": "due_for_disposal"}).status_code == 200
    client.force_login(approver)
    page = client.get(reverse("records:kept_record_list"))
    assert b'name="records"' in page.content
    response = client.post(reverse("records:disposal_approve"), {"records": [record.pk], "method": "Nghiền", **signed_post()})
    minute = DisposalMinute.objects.get()
    assert response.status_code == 302 and response["Location"] == minute.get_absolute_url()
    assert client.get(minute.get_absolute_url()).status_code == 200
    assert client.get(reverse("records:minute_list")).status_code == 200


@pytest.mark.parametrize("url_name", ["records:kept_record_list", "records:record_type_list"])
def test_list_pages_keep_a_flat_query_count(client, secretary, django_assert_max_num_queries, url_name):
    client.force_login(secretary)
    procedure = ProcedureFactory(code="QT-50")
    types = [RecordType.objects.create(code=f"HS-50-{n:02d}", name=f"Loại {n}", procedure=procedure, retention_years=n % 3 or None) for n in range(3)]

    def fill(count):
        for n in range(count):
            _store(types[n % 3], secretary, content=None, record_date=LONG_AGO)
            RecordType.objects.create(code=f"HS-X-{RecordType.objects.count():04d}", name="Khác")

    counts = []
    for total in (10, 200):
        fill(total - KeptRecord.objects.count())
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[0]
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse(url_name))


# Electronic signature of the disposal


def test_disposal_requires_the_approvers_signature_and_a_wrong_password_disposes_of_nothing(record_type, secretary, approver):
    record = _due(record_type, secretary)

    with override("en"), pytest.raises(SignatureRefused) as refused:
        services.disposal_approve(records=[record], by=approver, method="Nghiền", signature=None)
    assert refused.value.message.startswith("“Approve the disposal” needs your electronic signature")
    with override("en"), pytest.raises(SignatureRefused) as refused:
        services.disposal_approve(records=[record], by=approver, method="Nghiền", signature=signed(password="sai"))
    assert refused.value.message.startswith("Wrong password: nothing was signed")
    assert not DisposalMinute.objects.exists()
    assert KeptRecord.objects.get(pk=record.pk).state == KeptRecord.State.DUE_FOR_DISPOSAL
    assert type(approver).objects.get(pk=approver.pk).failed_signatures == 1

    minute = services.disposal_approve(records=[record], by=approver, method="Nghiền", signature=signed())

    [checked] = signatures_checked(minute)
    assert (checked.signature.action, checked.signature.signer, checked.valid) == ("approve", approver, True)
    assert [r["reference"] for r in minute.signed_content()["records"]] == [record.reference]


def test_a_minute_changed_after_signing_shows_a_broken_signature_on_its_page_and_printout(client, record_type, secretary, approver):
    minute = services.disposal_approve(records=[_due(record_type, secretary)], by=approver, method="Nghiền", signature=signed())
    client.force_login(approver)
    page = client.get(minute.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Valid" in page and "Approve the disposal" in page
    pdf_url = reverse("records:minute_print", args=[minute.number])

    def printed():
        content = client.get(pdf_url, HTTP_ACCEPT_LANGUAGE="en").content
        return " ".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(content)).pages).replace("\n", " ")

    assert "signed electronically (Approved)" in printed()

    DisposalMinute.objects.filter(pk=minute.pk).update(method="Đốt")

    assert "BROKEN: the content changed after signing" in client.get(minute.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "BROKEN: the content changed after" in printed()
