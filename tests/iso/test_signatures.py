"""Electronic signatures: the password at the moment of signing, the meaning, the hash of the signed
content, broken signatures on the page and on paper, and the count of wrong passwords."""

import hashlib
import io
import unicodedata

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import override
from pypdf import PdfReader

from iso.models import Signature, TransitionLog, User
from iso.signatures import (
    SignatureRefused,
    SignatureRequest,
    Signing,
    canonical_json,
    signature_lock_reset,
    signatures_checked,
)
from iso.workflows import available_transitions, transition_apply
from processes import services
from processes.models import ProcedureRevision, Step

from ..factories import PASSWORD, ProcedureRevisionFactory, make_approved, make_in_review, signed, signed_post

pytestmark = pytest.mark.django_db

State = ProcedureRevision.State
BROKEN = "BROKEN: the content changed after signing"


def pdf_text(content: bytes) -> str:
    return "\n".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def in_review(process_owner):
    return make_in_review(ProcedureRevisionFactory(author=process_owner))


def _refusal(call) -> str:
    with override("en"), pytest.raises(SignatureRefused) as refused:
        call()
    return refused.value.message


# Signing


def test_signing_with_the_right_password_stores_who_when_what_and_the_hash_of_the_content(in_review, approver):
    approver.job_title = "Phó Chủ tịch UBND"
    approver.save()

    revision = services.revision_approve(revision=in_review, by=approver, signature=signed())

    signature = Signature.objects.for_object(revision).get()
    expected = canonical_json(revision.signed_content())
    assert signature.content == expected
    assert signature.content_sha256 == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert (signature.signer, signature.signer_name, signature.signer_title) == (approver, "Lê Văn Duyệt", "Phó Chủ tịch UBND")
    assert (signature.action, signature.meaning, signature.signer_roles) == ("approve", "approved", "approver")
    assert signature.signed_at == revision.approved_at or abs((signature.signed_at - revision.approved_at).total_seconds()) < 5
    # The signed content is the document: sections, steps and edges, forms, records to keep.
    content = revision.signed_content()
    assert content["number"] == 0 and content["procedure"]["code"] == revision.procedure.code
    assert [s["code"] for s in content["steps"]] == ["TN", "XL", "BS", "KQ", "TC"]
    assert {"source": "XL", "target": "BS", "action": "Yêu cầu bổ sung"} in content["edges"]
    assert set(content) >= {"sections", "forms", "records_to_keep"}
    [checked] = signatures_checked(revision)
    assert checked.valid


def test_publishing_keeps_the_approval_signature_valid_and_adds_its_own(in_review, approver, secretary):
    approved = services.revision_approve(revision=in_review, by=approver, signature=signed())
    effective = services.revision_publish(revision=approved, by=secretary, signature=signed(Signature.Meaning.REVIEWED))

    checked = signatures_checked(effective)
    assert [(c.signature.action, c.signature.meaning, c.signature.signer, c.valid) for c in checked] == [
        ("approve", "approved", approver, True),
        ("publish", "reviewed", secretary, True),
    ]


def test_a_wrong_password_is_refused_counted_and_changes_nothing(in_review, approver):
    logs_before = TransitionLog.objects.count()

    message = _refusal(lambda: services.revision_approve(
        revision=in_review, by=approver, signature=signed(password="sai-mật-khẩu")
    ))

    assert message == "Wrong password: nothing was signed and “Approve” was not done (1 of 5 failed attempts in a row before your signature is locked)."
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.IN_REVIEW
    assert not Signature.objects.exists()
    assert TransitionLog.objects.count() == logs_before
    stored = User.objects.get(pk=approver.pk)
    assert stored.failed_signatures == 1 and stored.last_failed_signature_at is not None


def test_a_signature_that_is_missing_or_means_something_else_is_refused(in_review, approver):
    assert _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=None)) == (
        "“Approve” needs your electronic signature: enter your password and say what your signature means."
    )
    assert _refusal(lambda: services.revision_approve(
        revision=in_review, by=approver, signature=signed(Signature.Meaning.VERIFIED)
    )) == "Say what your signature on “Approve” means: approved."
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.IN_REVIEW
    assert User.objects.get(pk=approver.pk).failed_signatures == 0


def test_five_wrong_passwords_lock_signing_until_the_secretary_resets_it(in_review, approver, secretary):
    wrong = signed(password="sai")
    for _attempt in range(4):
        _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=wrong))
    fifth = _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=wrong))
    assert fifth.startswith("Wrong password: nothing was signed")
    assert "5 wrong passwords in a row: your electronic signature is now locked until the ISO secretary" in fifth

    # Locked: even the right password is not tried.
    locked = _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=signed()))
    assert locked == (
        "You cannot sign: your electronic signature is locked after 5 wrong passwords in a row. "
        "Nothing was signed. Ask the ISO secretary to let you sign again."
    )
    assert User.objects.get(pk=approver.pk).failed_signatures == 5
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    signature_lock_reset(user=approver, by=secretary)
    assert services.revision_approve(revision=in_review, by=approver, signature=signed()).state == State.APPROVED


def test_a_right_password_resets_the_count_of_failures_in_a_row(in_review, approver):
    _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=signed(password="sai")))
    services.revision_approve(revision=in_review, by=approver, signature=signed())
    assert User.objects.get(pk=approver.pk).failed_signatures == 0


@override_settings(SIGNATURE_MAX_FAILURES=2)
def test_the_number_of_failures_before_the_lock_is_a_setting(in_review, approver):
    _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=signed(password="sai")))
    _refusal(lambda: services.revision_approve(revision=in_review, by=approver, signature=signed(password="sai")))
    assert "locked after 2 wrong passwords" in _refusal(
        lambda: services.revision_approve(revision=in_review, by=approver, signature=signed())
    )


def test_a_refused_transition_does_not_try_the_password(in_review, process_owner):
    # A process owner may not approve: refused for that reason, and the wrong password is not counted.
    with override("en"), pytest.raises(Exception) as refused:
        services.revision_approve(revision=in_review, by=process_owner, signature=signed(password="sai"))
    assert str(refused.value) == "Only an approver may approve a revision."
    assert User.objects.get(pk=process_owner.pk).failed_signatures == 0


def test_a_signing_not_checked_by_its_password_cannot_apply_a_signed_transition(in_review, approver):
    forged = Signing(signer=approver, meaning=Signature.Meaning.APPROVED)
    with pytest.raises(SignatureRefused):
        transition_apply(in_review, "approve", by=approver, signing=forged)
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.IN_REVIEW


def test_the_ui_offers_the_meanings_of_a_signed_transition(in_review, approver):
    [approve] = [t for t in available_transitions(in_review, approver) if t.name == "approve"]
    assert approve.signed and [value for value, _label in approve.meanings] == ["approved"]
    [back] = [t for t in available_transitions(in_review, approver) if t.name == "return_to_author"]
    assert not back.signed


# Append-only


def test_signatures_are_append_only(in_review, approver):
    services.revision_approve(revision=in_review, by=approver, signature=signed())
    signature = Signature.objects.get()
    signature.meaning = Signature.Meaning.REVIEWED
    with pytest.raises(TypeError):
        signature.save()
    with pytest.raises(TypeError):
        signature.delete()
    with pytest.raises(TypeError):
        Signature.objects.update(meaning="reviewed")
    with pytest.raises(TypeError):
        Signature.objects.all().delete()


@pytest.mark.postgres
def test_postgresql_refuses_to_update_or_delete_a_signature(in_review, approver):
    services.revision_approve(revision=in_review, by=approver, signature=signed())
    for statement in ("UPDATE iso_signature SET meaning = 'reviewed'", "DELETE FROM iso_signature"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Signature.objects.get().meaning == "approved"


# Tampering


def _tamper_with_a_step(revision):
    # As someone with database access would: straight through the ORM, past every service.
    Step.objects.filter(revision=revision, code="XL").update(name="Thẩm định (đã sửa sau khi ký)")


def test_content_edited_after_signing_shows_the_signature_as_broken_on_the_page(client, in_review, approver):
    revision = services.revision_approve(revision=in_review, by=approver, signature=signed())
    client.force_login(approver)
    page = client.get(revision.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Valid" in page and BROKEN not in page and "Lê Văn Duyệt" in page

    _tamper_with_a_step(revision)

    page = client.get(revision.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert BROKEN in page
    [checked] = signatures_checked(revision)
    assert checked.broken


def test_content_edited_after_signing_shows_the_signature_as_broken_in_the_printout(client, in_review, approver):
    revision = services.revision_approve(revision=in_review, by=approver, signature=signed())
    client.force_login(approver)
    url = reverse("processes:revision_print", args=[revision.procedure.code, revision.number])
    text = pdf_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content).replace("\n", " ")
    assert "signed electronically (Approved)" in text and "BROKEN" not in text

    _tamper_with_a_step(revision)

    text = pdf_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)
    assert "BROKEN: the content changed after" in text.replace("\n", " ")


def test_an_edited_signature_row_is_broken_too(in_review, approver):
    revision = services.revision_approve(revision=in_review, by=approver, signature=signed())
    signature = Signature.objects.get()
    # Forging the stored content without its hash (past the append-only guard, as raw SQL would).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Past the append-only trigger, as the database's owner could, for this transaction only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE iso_signature SET content = %s WHERE id = %s", ["{}", signature.pk])
    [checked] = signatures_checked(revision)
    assert checked.broken


# Through the page


def test_approving_through_the_page_needs_the_password_and_counts_a_wrong_one(client, in_review, approver):
    client.force_login(approver)
    url = reverse("processes:revision_transition", args=[in_review.procedure.code, in_review.number])
    page = client.get(in_review.get_absolute_url()).content.decode()
    assert 'name="signature_password"' in page and 'name="signature_meaning"' in page

    response = client.post(url, {"transition": "approve", **signed_post(password="sai")}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Wrong password: nothing was signed" in response.content.decode()
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.IN_REVIEW
    assert User.objects.get(pk=approver.pk).failed_signatures == 1

    response = client.post(url, {"transition": "approve"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "needs your electronic signature" in response.content.decode()
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.IN_REVIEW

    client.post(url, {"transition": "approve", **signed_post()})
    assert ProcedureRevision.objects.get(pk=in_review.pk).state == State.APPROVED
    assert Signature.objects.for_object(in_review).get().signer == approver


# The secretary's view of failures


def test_the_secretary_sees_failed_signatures_in_the_admin_and_lets_the_user_sign_again(client, approver, secretary, in_review):
    for _attempt in range(5):
        with pytest.raises(SignatureRefused):
            services.revision_approve(revision=in_review, by=approver, signature=signed(password="sai"))
    client.force_login(secretary)
    secretary.is_staff = True
    secretary.save()
    listing = client.get(reverse("admin:iso_user_changelist"), {"signature": "locked"})
    assert listing.status_code == 200
    assert [u.username for u in listing.context["cl"].result_list] == ["approver"]

    response = client.post(
        reverse("admin:iso_user_changelist"),
        {"action": "reset_signature_lock", "_selected_action": [approver.pk]},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=approver.pk).failed_signatures == 0


def test_only_the_secretary_may_reset_the_lock(approver, staff):
    with pytest.raises(Exception) as refused:
        signature_lock_reset(user=staff, by=approver)
    assert type(refused.value).__name__ == "PermissionDenied"


def test_the_factories_password_signs(approver):
    assert approver.check_password(PASSWORD)
    assert SignatureRequest(password=PASSWORD, meaning="approved") == signed()
    assert "đúng" not in repr(signed())  # the password never shows in a repr


def test_make_approved_signs_the_approval(approver):
    revision = make_approved(ProcedureRevisionFactory(), approver=approver)
    assert Signature.objects.for_object(revision).get().action == "approve"


def test_publishing_requires_a_signature_and_a_wrong_password_supersedes_nothing(approver, secretary):
    revision = make_approved(ProcedureRevisionFactory(), approver=approver)
    assert _refusal(lambda: services.revision_publish(revision=revision, by=secretary, signature=None)) == (
        "“Publish” needs your electronic signature: enter your password and say what your signature means."
    )
    assert _refusal(
        lambda: services.revision_publish(revision=revision, by=secretary, signature=signed(password="sai"))
    ).startswith("Wrong password: nothing was signed and “Publish” was not done")
    assert ProcedureRevision.objects.get(pk=revision.pk).state == State.APPROVED
    assert not Signature.objects.filter(action="publish").exists()
    assert User.objects.get(pk=secretary.pk).failed_signatures == 1
