"""Electronic signatures on the audit approvals: the programme, the audit report, the acceptance of an
action plan and the verification of effectiveness."""

import datetime
import io
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from pypdf import PdfReader

from audits import services
from audits.models import Audit, AuditProgramme, CorrectiveAction, Finding, Nonconformity
from iso.models import Signature, User
from iso.signatures import SignatureRefused, canonical_json, signatures_checked

from ..factories import signed, signed_post

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
APPROVED, VERIFIED = Signature.Meaning.APPROVED, Signature.Meaning.VERIFIED
BROKEN = "BROKEN: the content changed after signing"


def pdf_text(content: bytes) -> str:
    return " ".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(content)).pages).replace("\n", " ")


def _planned(nonconformity, owner):
    nc = services.nonconformity_analyse(nonconformity=nonconformity, by=owner, correction="Bổ sung ngày trả", whys=["Mẫu sổ cũ"])
    services.corrective_action_plan(
        nonconformity=nc, by=owner, description="Cập nhật mẫu sổ", owner=owner, due_date=TODAY + datetime.timedelta(days=10)
    )
    return services.nonconformity_transition(nonconformity=nc, name="plan", by=owner)


def _done_long_ago(nonconformity, owner, lead):
    nc = services.nonconformity_transition(
        nonconformity=_planned(nonconformity, owner), name="accept_plan", by=lead, signature=signed()
    )
    action = nc.actions.get()
    action = services.corrective_action_start(action=action, by=owner)
    action = services.corrective_action_finish(action=action, by=owner, note="Đã in mẫu sổ mới")
    CorrectiveAction.objects.filter(pk=action.pk).update(completed_at=timezone.now() - datetime.timedelta(days=60))
    return CorrectiveAction.objects.get(pk=action.pk)


# Each approval requires a signature. Each case: (prepare, sign) with sign(signature) applying it.


def _programme_approval(request):
    request.getfixturevalue("audit")
    programme, approver = request.getfixturevalue("programme"), request.getfixturevalue("approver")
    return programme, "approve", APPROVED, lambda signature: services.programme_transition(
        programme=programme, name="approve", by=approver, signature=signature
    )


def _report(request):
    audit, lead = request.getfixturevalue("audit_in_progress"), request.getfixturevalue("lead")
    return audit, "report", APPROVED, lambda signature: services.audit_report(
        audit=audit, by=lead, summary="Hệ thống vận hành tốt.", signature=signature
    )


def _plan_acceptance(request):
    nc = _planned(request.getfixturevalue("nonconformity"), request.getfixturevalue("owner"))
    lead = request.getfixturevalue("lead")
    return nc, "accept_plan", APPROVED, lambda signature: services.nonconformity_transition(
        nonconformity=nc, name="accept_plan", by=lead, signature=signature
    )


def _verification(effective):
    def prepare(request):
        lead = request.getfixturevalue("lead")
        action = _done_long_ago(request.getfixturevalue("nonconformity"), request.getfixturevalue("owner"), lead)
        name = "verify_effective" if effective else "verify_not_effective"
        return action, name, VERIFIED, lambda signature: services.corrective_action_verify(
            action=action, verified_by=lead, effective=effective, note="Đã kiểm tra sổ tháng 6", signature=signature
        )
    return prepare


APPROVALS = {
    "programme approval": _programme_approval,
    "audit report": _report,
    "action plan acceptance": _plan_acceptance,
    "verified effective": _verification(True),
    "verified not effective": _verification(False),
}


@pytest.mark.parametrize("approval", APPROVALS)
def test_each_audit_approval_requires_an_electronic_signature(request, approval):
    obj, action, meaning, sign = APPROVALS[approval](request)
    state = type(obj).objects.get(pk=obj.pk).state

    with override("en"), pytest.raises(SignatureRefused) as refused:
        sign(None)
    assert "needs your electronic signature" in refused.value.message
    with pytest.raises(SignatureRefused):
        sign(signed(meaning, password="sai"))
    assert type(obj).objects.get(pk=obj.pk).state == state
    assert not Signature.objects.for_object(obj).exists()

    signed_obj = sign(signed(meaning))

    assert signed_obj.state != state
    [checked] = signatures_checked(signed_obj)
    assert (checked.signature.action, checked.signature.meaning, checked.valid) == (action, meaning, True)
    assert checked.signature.content == canonical_json(type(obj).objects.get(pk=obj.pk).signed_content())


def test_the_plan_signature_covers_the_actions_with_owners_and_due_dates(nonconformity, owner, lead):
    nc = services.nonconformity_transition(
        nonconformity=_planned(nonconformity, owner), name="accept_plan", by=lead, signature=signed()
    )
    content = nc.signed_content()
    assert content["actions"] == [
        {"number": 1, "description": "Cập nhật mẫu sổ", "owner": owner.username, "due_date": TODAY + datetime.timedelta(days=10)}
    ]


def test_a_reissue_after_an_ineffective_action_leaves_the_plan_signature_valid(nonconformity, owner, lead):
    action = _done_long_ago(nonconformity, owner, lead)
    services.nonconformity_transition(nonconformity=action.nonconformity, name="request_verification", by=owner)
    services.corrective_action_verify(action=action, verified_by=lead, effective=False, note="Vẫn sai", signature=signed(VERIFIED))

    nc = Nonconformity.objects.get(pk=nonconformity.pk)
    assert nc.actions.count() == 2
    assert all(c.valid for c in signatures_checked(nc))
    assert all(c.valid for c in signatures_checked(CorrectiveAction.objects.get(pk=action.pk)))


# Broken signatures on the pages and the printouts


def test_a_changed_due_date_breaks_the_plan_signature_on_the_page_and_the_printout(client, nonconformity, owner, lead):
    nc = services.nonconformity_transition(
        nonconformity=_planned(nonconformity, owner), name="accept_plan", by=lead, signature=signed()
    )
    client.force_login(lead)
    print_url = reverse("audits:nonconformity_print", args=[nc.reference])
    assert "Valid" in client.get(nc.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "signed electronically (Approved)" in pdf_text(client.get(print_url, HTTP_ACCEPT_LANGUAGE="en").content)

    CorrectiveAction.objects.filter(nonconformity=nc).update(due_date=TODAY + datetime.timedelta(days=300))

    assert BROKEN in client.get(nc.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "BROKEN: the content changed after" in pdf_text(client.get(print_url, HTTP_ACCEPT_LANGUAGE="en").content)


def test_a_changed_verification_note_breaks_the_verifiers_signature(client, nonconformity, owner, lead):
    action = _done_long_ago(nonconformity, owner, lead)
    services.nonconformity_transition(nonconformity=action.nonconformity, name="request_verification", by=owner)
    action = services.corrective_action_verify(
        action=action, verified_by=lead, effective=True, note="Đã kiểm tra", signature=signed(VERIFIED)
    )
    CorrectiveAction.objects.filter(pk=action.pk).update(verification_note="Đã kiểm tra kỹ (sửa sau)")

    client.force_login(lead)
    page = client.get(nonconformity.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    [(_action, _transitions, [checked])] = page.context["actions"]
    assert checked.broken and BROKEN in page.content.decode()


def test_a_finding_edited_after_the_report_breaks_its_signature_in_the_report_printout(client, audit_in_progress, lead, justice):
    services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=audit_in_progress.clauses.first(),
        unit=justice, statement="Sổ ghi chép chưa thống nhất.", evidence="Sổ 2026",
    )
    client.force_login(lead)
    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "transition"])
    client.post(url, {"transition": "report", "summary": "Hệ thống vận hành tốt.", **signed_post()})
    audit = Audit.objects.get(pk=audit_in_progress.pk)
    assert audit.state == Audit.State.REPORTED
    report = reverse("audits:audit_print", args=[audit.reference, "report"])
    assert "signed electronically (Approved)" in pdf_text(client.get(report, HTTP_ACCEPT_LANGUAGE="en").content)

    Finding.objects.filter(audit=audit).update(statement="Không có gì đáng kể.")

    assert "BROKEN: the content changed after" in pdf_text(client.get(report, HTTP_ACCEPT_LANGUAGE="en").content)
    assert BROKEN in client.get(audit.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_audit_added_after_approval_breaks_the_programme_signature(client, programme, audit, approver, secretary, justice, lead):
    services.programme_transition(programme=programme, name="approve", by=approver, signature=signed())
    client.force_login(approver)
    url = reverse("audits:programme_print", args=[programme.year])
    assert "signed electronically (Approved)" in pdf_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)

    Audit.objects.filter(pk=audit.pk).update(planned_end=audit.planned_end + datetime.timedelta(days=7))

    assert "BROKEN: the content changed after" in pdf_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)
    assert BROKEN in client.get(programme.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert AuditProgramme.objects.get(pk=programme.pk).state == AuditProgramme.State.APPROVED


def test_a_wrong_password_on_the_programme_page_is_refused_and_counted(client, programme, audit, approver):
    client.force_login(approver)
    url = reverse("audits:programme_transition", args=[programme.year])
    assert 'name="signature_password"' in client.get(programme.get_absolute_url()).content.decode()
    response = client.post(url, {"transition": "approve", **signed_post(password="sai")}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    with override("en"):
        [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Wrong password: nothing was signed and “Approve” was not done")
    assert AuditProgramme.objects.get(pk=programme.pk).state == AuditProgramme.State.DRAFT
    assert User.objects.get(pk=approver.pk).failed_signatures == 1
