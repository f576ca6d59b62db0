import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from iso.models import Clause, FieldChange, Role, Signature, TransitionLog
from iso.revisions import services as revisions
from iso.signatures import signatures_checked
from iso.workflows import TransitionRefused, transition_apply
from qms import services
from qms.models import PolicyAcknowledgement, PolicyRevision, QmsDocument, QmsRevision, ScopeRevision

from ..factories import (
    ContextIssueFactory,
    ExcludedClauseFactory,
    InterestedPartyFactory,
    OrgUnitFactory,
    PolicyCommitmentFactory,
    PolicyRevisionFactory,
    ProcedureFactory,
    ScopeRevisionFactory,
    UserFactory,
    make_approved,
    make_effective,
    make_in_review,
    signed,
)

pytestmark = pytest.mark.django_db

State = QmsRevision.State
TODAY = timezone.localdate()


def _refused(call) -> str:
    with override("en"), pytest.raises(TransitionRefused) as refused:
        call()
    return refused.value.message


# Registering the documents


def test_the_secretary_registers_the_scope_document_with_a_draft_revision_0(secretary):
    document = services.qms_document_create(kind="scope", code=" STCL-01 ", title="Phạm vi HTQLCL", by=secretary)
    revision = document.revisions.get()
    assert (document.code, document.kind) == ("STCL-01", "scope")
    assert isinstance(revision, ScopeRevision)
    assert (revision.number, revision.state, revision.author) == (0, State.DRAFT, secretary)


def test_only_the_secretary_registers_a_qms_document(approver):
    with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may register"):
        services.qms_document_create(kind="policy", code="CSCL-01", title="Chính sách chất lượng", by=approver)
    assert not QmsDocument.objects.exists()


def test_an_organisation_keeps_one_document_of_each_kind(secretary):
    services.qms_document_create(kind="policy", code="CSCL-01", title="Chính sách", by=secretary)
    with override("en"), pytest.raises(ValidationError) as error:
        services.qms_document_create(kind="policy", code="CSCL-02", title="Chính sách khác", by=secretary)
    assert "kind" in error.value.message_dict


# The lifecycle, shared with procedures


def test_publishing_a_scope_revision_supersedes_the_one_in_force(secretary, approver):
    first = make_effective(ScopeRevisionFactory(author=secretary), approver=approver, publisher=secretary,
                           effective_from=TODAY - datetime.timedelta(days=30))
    second = services.qms_revision_start(document=first.document, by=secretary)
    second = make_effective(second, approver=approver, publisher=secretary, effective_from=TODAY)
    first.refresh_from_db()
    assert (first.state, first.ended_on) == (State.SUPERSEDED, TODAY)
    assert second.state == State.EFFECTIVE
    assert [e.transition for e in TransitionLog.objects.for_object(first)] == ["submit", "approve", "publish", "supersede"]


def test_a_document_can_never_have_two_effective_revisions(secretary, approver):
    effective = make_effective(ScopeRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    other = ScopeRevisionFactory(document=effective.document, author=secretary)
    # Past the services, the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        ScopeRevision.objects.filter(pk=other.pk).update(state=State.EFFECTIVE)


def test_the_scope_and_the_policy_each_have_their_own_effective_revision(secretary, approver):
    scope = make_effective(ScopeRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    policy = make_effective(PolicyRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    assert scope.state == policy.state == State.EFFECTIVE


def test_the_author_of_a_scope_revision_cannot_approve_it(secretary):
    author = UserFactory(roles=[Role.ISO_SECRETARY, Role.APPROVER])
    revision = make_in_review(ScopeRevisionFactory(author=author))
    message = _refused(lambda: revisions.revision_approve(revision=revision, by=author, signature=signed()))
    assert message == (
        "You wrote this revision, so you cannot approve it: an approver must be someone other than its author."
    )
    assert ScopeRevision.objects.get(pk=revision.pk).state == State.IN_REVIEW


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("submit", Role.PROCESS_OWNER, "Only the ISO secretary may submit a revision."),
        ("approve", Role.ISO_SECRETARY, "Only an approver may approve a revision."),
        ("publish", Role.APPROVER, "Only the ISO secretary may publish a revision."),
    ],
)
def test_each_transition_of_the_policy_is_for_its_role(secretary, approver, name, role, message):
    revision = PolicyRevisionFactory(author=secretary)
    if name == "approve":
        revision = make_in_review(revision)
    if name == "publish":
        revision = make_approved(revision, approver=approver)
    who = UserFactory(roles=[role])
    assert _refused(lambda: transition_apply(revision, name, by=who)) == message


def test_the_policy_permissions_are_its_own_not_the_procedures(secretary):
    # A process owner may submit procedure revisions, not the policy.
    owner = UserFactory(roles=[Role.PROCESS_OWNER])
    assert owner.has_perm("processes.submit_procedurerevision")
    revision = PolicyRevisionFactory(author=secretary)
    assert _refused(lambda: revisions.revision_submit(revision=revision, by=owner))


def test_approving_and_publishing_are_signed_and_the_signature_covers_the_content(secretary, approver):
    revision = PolicyRevisionFactory(author=secretary)
    PolicyCommitmentFactory(revision=revision, text="Công khai, minh bạch thủ tục hành chính")
    revision = make_effective(revision, approver=approver, publisher=secretary)
    checked = signatures_checked(revision)
    assert [(c.signature.action, c.signature.signer, c.valid) for c in checked] == [
        ("approve", approver, True), ("publish", secretary, True)
    ]
    assert "Công khai, minh bạch thủ tục hành chính" in checked[0].signature.content
    # A commitment changed behind the workflow's back breaks the signatures.
    revision.commitments.update(text="Đã sửa sau khi ký")
    assert [c.valid for c in signatures_checked(revision)] == [False, False]


def test_approving_without_the_password_is_refused_and_changes_nothing(secretary, approver):
    revision = make_in_review(ScopeRevisionFactory(author=secretary))
    with pytest.raises(TransitionRefused):
        revisions.revision_approve(revision=revision, by=approver, signature=signed(password="sai"))
    assert ScopeRevision.objects.get(pk=revision.pk).state == State.IN_REVIEW
    assert not Signature.objects.exists()


def test_a_scope_is_reviewed_only_complete(secretary):
    revision = ScopeRevisionFactory(author=secretary, statement="  ", units=[])
    ExcludedClauseFactory(revision=revision, justification=" ")
    with override("en"), pytest.raises(ValidationError) as error:
        revisions.revision_submit(revision=revision, by=secretary)
    assert error.value.messages == [
        "Write the scope statement before the revision is reviewed.",
        "Name at least one unit in the scope.",
        "Clause 8.3 is declared not applicable without a justification.",
    ]
    assert ScopeRevision.objects.get(pk=revision.pk).state == State.DRAFT


def test_a_policy_is_reviewed_only_with_its_text(secretary):
    revision = PolicyRevisionFactory(author=secretary, text="")
    with override("en"), pytest.raises(ValidationError, match="Write the text of the policy"):
        revisions.revision_submit(revision=revision, by=secretary)


# Rows frozen with the revision


def test_the_rows_of_a_scope_revision_are_frozen_once_it_is_in_review(secretary):
    revision = ScopeRevisionFactory(author=secretary)
    issue = ContextIssueFactory(revision=revision)
    make_in_review(revision)
    issue = type(issue).objects.select_related("revision").get(pk=issue.pk)
    issue.description = "Sửa sau khi trình"
    with override("en"), pytest.raises(ValidationError, match="can no longer be edited"):
        issue.save()
    with override("en"), pytest.raises(ValidationError, match="can no longer be edited"):
        InterestedPartyFactory(revision=ScopeRevision.objects.get(pk=revision.pk))
    with override("en"), pytest.raises(ValidationError, match="can no longer be edited"):
        issue.delete()
    assert revision.issues.get().description != "Sửa sau khi trình"


def test_the_editor_refuses_to_save_a_revision_in_review(secretary):
    revision = make_in_review(PolicyRevisionFactory(author=secretary))
    with override("en"), pytest.raises(ValidationError, match="can no longer be edited"):
        revisions.revision_save_edits(revision=revision, by=secretary, forms=[], edit_version=revision.edit_version)


def test_saving_the_editor_keeps_the_old_and_new_text(secretary):
    from qms.forms import PolicyContentForm

    revision = PolicyRevisionFactory(author=secretary, text="Bản cũ")
    form = PolicyContentForm(
        {"text": "Bản mới", "change_summary": "Sửa câu chữ", "edit_version": 0}, instance=revision
    )
    assert form.is_valid(), form.errors
    revisions.revision_save_edits(revision=revision, by=secretary, forms=[form], edit_version=0)
    changes = {c.field_name: (c.old_value, c.new_value) for c in FieldChange.objects.for_object(revision)}
    assert changes == {"text": ("Bản cũ", "Bản mới"), "change_summary": ("", "Sửa câu chữ")}


# A new revision from the one in force


def test_a_new_scope_revision_copies_the_effective_one_with_all_its_rows(secretary, approver):
    units = [OrgUnitFactory(), OrgUnitFactory()]
    procedure = ProcedureFactory()
    effective = ScopeRevisionFactory(author=secretary, units=units, procedures=[procedure], statement="Phạm vi cũ")
    ExcludedClauseFactory(revision=effective)
    ContextIssueFactory(revision=effective, kind="internal", description="Thiếu công chức", effect="Chậm hồ sơ")
    InterestedPartyFactory(revision=effective, party="Người dân")
    effective = make_effective(effective, approver=approver, publisher=secretary)

    draft = services.qms_revision_start(document=effective.document, by=secretary)
    assert (draft.number, draft.state, draft.statement, draft.author) == (1, State.DRAFT, "Phạm vi cũ", secretary)
    assert set(draft.units.all()) == set(units) and list(draft.procedures.all()) == [procedure]
    assert [(e.clause.number, e.justification) for e in draft.excluded_clauses.all()] == [
        ("8.3", effective.excluded_clauses.get().justification)
    ]
    assert [(i.kind, i.description, i.effect) for i in draft.issues.all()] == [("internal", "Thiếu công chức", "Chậm hồ sơ")]
    assert [p.party for p in draft.parties.all()] == ["Người dân"]
    # The copy is the draft's own: the effective revision's rows are untouched by edits to it.
    draft.issues.update(description="Đã sửa")
    assert effective.issues.get().description == "Thiếu công chức"


def test_a_new_policy_revision_copies_the_commitments(secretary, approver):
    effective = PolicyRevisionFactory(author=secretary)
    PolicyCommitmentFactory(revision=effective, text="Đúng hẹn")
    effective = make_effective(effective, approver=approver, publisher=secretary)
    draft = services.qms_revision_start(document=effective.document, by=secretary)
    assert [c.text for c in draft.commitments.all()] == ["Đúng hẹn"]


def test_only_one_revision_of_a_document_is_in_the_making(secretary):
    revision = ScopeRevisionFactory(author=secretary)
    with override("en"), pytest.raises(ValidationError) as error:
        services.qms_revision_start(document=revision.document, by=secretary)
    assert error.value.messages == ["STCL-01 revision 0 is still draft; finish it before starting another revision."]


def test_only_the_secretary_starts_a_revision_of_the_policy(approver, secretary):
    revision = PolicyRevisionFactory(author=secretary)
    with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may start a revision"):
        services.qms_revision_start(document=revision.document, by=approver)


# Not applicable requirements


def test_a_requirement_not_applicable_needs_a_justification_and_an_excludable_clause(secretary):
    revision = ScopeRevisionFactory(author=secretary)
    excluded = ExcludedClauseFactory.build(revision=revision, clause=Clause.objects.get(number="9.3"), justification="  ")
    with override("en"), pytest.raises(ValidationError) as error:
        excluded.full_clean()
    assert error.value.message_dict["clause"][0].startswith(
        "Clause 9.3 cannot be declared not applicable: ISO 9001:2015 clause 4.3 allows it only for requirements"
    )
    assert error.value.message_dict["justification"] == ["Say why this requirement does not apply."]
    ExcludedClauseFactory.build(revision=revision, clause=Clause.objects.get(number="8.3.2")).full_clean()


# The announcement of conformity


def test_recording_an_announcement_keeps_its_date_and_decision_in_the_trail(secretary, approver):
    scope = make_effective(ScopeRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    day = TODAY - datetime.timedelta(days=1)
    document = services.scope_announcement_record(
        document=scope.document, announced_on=day, reference="Quyết định số 15/QĐ-UBND", by=secretary
    )
    assert (document.last_announced_on, document.announcement_reference) == (day, "Quyết định số 15/QĐ-UBND")
    assert {c.field_name for c in FieldChange.objects.for_object(document)} == {
        "last_announced_on", "announcement_reference"
    }


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "An announcement cannot be dated in the future."),
     (-20, "The last announcement recorded is of")],
)
def test_an_announcement_is_never_in_the_future_nor_older_than_the_last(secretary, approver, days, message):
    scope = make_effective(ScopeRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    services.scope_announcement_record(
        document=scope.document, announced_on=TODAY - datetime.timedelta(days=10), reference="", by=secretary
    )
    with override("en"), pytest.raises(ValidationError) as error:
        services.scope_announcement_record(
            document=scope.document, announced_on=TODAY + datetime.timedelta(days=days), reference="", by=secretary
        )
    assert error.value.message_dict["last_announced_on"][0].startswith(message)


def test_an_announcement_needs_a_scope_in_force_and_the_secretary(secretary, approver):
    draft = ScopeRevisionFactory(author=secretary)
    with override("en"), pytest.raises(ValidationError, match="Publish the scope before"):
        services.scope_announcement_record(document=draft.document, announced_on=TODAY, reference="", by=secretary)
    with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may record"):
        services.scope_announcement_record(document=draft.document, announced_on=TODAY, reference="", by=approver)


# Acknowledging the policy


def test_the_policy_in_force_is_acknowledged_once_per_person(secretary, approver, staff):
    policy = make_effective(PolicyRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    first = services.policy_acknowledge(revision=policy, user=staff)
    again = services.policy_acknowledge(revision=policy, user=staff)
    assert first.pk == again.pk
    assert PolicyAcknowledgement.objects.filter(user=staff).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyAcknowledgement.objects.create(revision=policy, user=staff)


def test_a_new_policy_in_force_asks_everyone_again(secretary, approver, staff):
    old = make_effective(PolicyRevisionFactory(author=secretary), approver=approver, publisher=secretary,
                         effective_from=TODAY - datetime.timedelta(days=5))
    services.policy_acknowledge(revision=old, user=staff)
    new = make_effective(services.qms_revision_start(document=old.document, by=secretary),
                         approver=approver, publisher=secretary)
    assert not new.acknowledgements.filter(user=staff).exists()
    old = PolicyRevision.objects.get(pk=old.pk)
    with override("en"), pytest.raises(ValidationError, match="Only the quality policy in force"):
        services.policy_acknowledge(revision=old, user=staff)
    services.policy_acknowledge(revision=new, user=staff)
    assert [a.revision for a in PolicyAcknowledgement.objects.filter(user=staff).order_by("pk")] == [old, new]


def test_a_draft_policy_cannot_be_acknowledged(secretary, staff):
    with override("en"), pytest.raises(ValidationError, match="Only the quality policy in force"):
        services.policy_acknowledge(revision=PolicyRevisionFactory(author=secretary), user=staff)
