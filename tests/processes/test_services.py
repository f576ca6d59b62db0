import datetime
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from iso.models import Role, TransitionLog
from iso.workflows import TransitionRefused, available_transitions, transition_apply
from processes import selectors, services
from processes.models import Acknowledgement, Procedure, ProcedureRevision, Step
from tests.factories import (
    signed,
    FormTemplateFactory,
    OrgUnitFactory,
    ProcedureFactory,
    ProcedureRevisionFactory,
    RecordToKeepFactory,
    StepFactory,
    UserFactory,
    build_step_graph,
    make_approved,
    make_effective,
)

pytestmark = pytest.mark.django_db

State = ProcedureRevision.State
FIRST_DAY = datetime.date(2026, 1, 5)
SECOND_DAY = datetime.date(2026, 7, 1)


# Fixtures: revision 0 of QT-01 in each state, reached through the services.


@pytest.fixture
def procedure(unit, secretary, process_owner):
    """QT-01, registered by the secretary; the process owner writes its first revision."""
    procedure = services.procedure_create(
        code="QT-01",
        title="Đăng ký khai sinh",
        owner_unit=unit,
        category=Procedure.Category.ADMINISTRATIVE,
        by=secretary,
        author=process_owner,
        purpose="Quy định trình tự đăng ký khai sinh.\nBảo đảm đúng hẹn.",
        scope="Bộ phận một cửa.",
    )
    return procedure


@pytest.fixture
def draft(procedure):
    revision = procedure.revisions.get(number=0)
    build_step_graph(revision)
    return revision


@pytest.fixture
def in_review(draft, process_owner):
    return services.revision_submit(revision=draft, by=process_owner)


@pytest.fixture
def approved(in_review, approver):
    return services.revision_approve(revision=in_review, by=approver, signature=signed())


@pytest.fixture
def effective(approved, secretary):
    return services.revision_publish(revision=approved, by=secretary, effective_from=FIRST_DAY, signature=signed())


@pytest.fixture
def withdrawn(effective, secretary):
    return services.revision_withdraw(revision=effective, by=secretary, comment="Thủ tục bị bãi bỏ.")


@pytest.fixture
def superseded(effective, procedure, process_owner, approver, secretary):
    successor = services.revision_start(procedure=procedure, by=process_owner)
    make_effective(successor, approver=approver, publisher=secretary, effective_from=SECOND_DAY)
    return ProcedureRevision.objects.get(pk=effective.pk)


def _log(revision) -> list[tuple]:
    return [
        (row.transition, row.source, row.target, row.actor, row.comment)
        for row in TransitionLog.objects.for_object(revision)
    ]


def _state(revision) -> str:
    return ProcedureRevision.objects.get(pk=revision.pk).state


def _refused(call) -> str:
    with override("en"), pytest.raises(TransitionRefused) as refused:
        call()
    return refused.value.message


def _invalid(call) -> ValidationError:
    with override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value


# Creating a procedure


def test_a_new_procedure_opens_revision_0_as_a_draft_written_by_its_creator(procedure, process_owner):
    revision = procedure.revisions.get()

    assert (revision.number, revision.state, revision.author) == (0, State.DRAFT, process_owner)
    assert revision.purpose.startswith("Quy định trình tự")
    assert _log(revision) == []


# Each transition


def test_submitting_a_draft_puts_it_in_review_and_logs_who_sent_it(draft, process_owner):
    revision = services.revision_submit(revision=draft, by=process_owner, comment="Xin ý kiến.")

    assert revision.state == _state(draft) == State.IN_REVIEW
    assert _log(draft) == [("submit", "draft", "in_review", process_owner, "Xin ý kiến.")]


def test_the_iso_secretary_may_submit_a_draft_too(draft, secretary):
    services.revision_submit(revision=draft, by=secretary)

    assert _state(draft) == State.IN_REVIEW
    assert _log(draft) == [("submit", "draft", "in_review", secretary, "")]


@pytest.mark.parametrize("reviewer", ["approver", "secretary"])
def test_returning_a_revision_sends_it_back_to_draft_with_the_comment(request, in_review, reviewer):
    user = request.getfixturevalue(reviewer)

    revision = services.revision_return(revision=in_review, by=user, comment="Bổ sung căn cứ pháp lý.")

    assert revision.state == _state(in_review) == State.DRAFT
    assert revision.is_editable
    assert _log(in_review)[-1] == ("return_to_author", "in_review", "draft", user, "Bổ sung căn cứ pháp lý.")


def test_approving_records_the_approver_and_the_time(in_review, approver):
    before = timezone.now()

    revision = services.revision_approve(revision=in_review, by=approver, comment="Đồng ý.", signature=signed())

    stored = ProcedureRevision.objects.get(pk=in_review.pk)
    assert revision.state == stored.state == State.APPROVED
    assert stored.approved_by == approver
    assert before <= stored.approved_at <= timezone.now()
    assert _log(in_review)[-1] == ("approve", "in_review", "approved", approver, "Đồng ý.")


def test_publishing_makes_an_approved_revision_effective_from_the_given_date(approved, secretary):
    revision = services.revision_publish(revision=approved, by=secretary, effective_from=FIRST_DAY, comment="Ban hành.", signature=signed())

    stored = ProcedureRevision.objects.get(pk=approved.pk)
    assert revision.state == stored.state == State.EFFECTIVE
    assert (stored.published_by, stored.effective_from, stored.ended_on) == (secretary, FIRST_DAY, None)
    assert _log(approved)[-1] == ("publish", "approved", "effective", secretary, "Ban hành.")


def test_publishing_without_a_date_makes_the_revision_effective_today(approved, secretary):
    services.revision_publish(revision=approved, by=secretary, signature=signed())

    assert ProcedureRevision.objects.get(pk=approved.pk).effective_from == timezone.localdate()


def test_publishing_a_revision_supersedes_the_previous_one(effective, procedure, process_owner, approver, secretary):
    successor = make_approved(services.revision_start(procedure=procedure, by=process_owner), approver=approver)

    with override("en"):
        services.revision_publish(revision=successor, by=secretary, effective_from=SECOND_DAY, signature=signed())

    previous = ProcedureRevision.objects.get(pk=effective.pk)
    current = ProcedureRevision.objects.get(pk=successor.pk)
    assert (previous.state, previous.ended_on, previous.effective_from) == (State.SUPERSEDED, SECOND_DAY, FIRST_DAY)
    assert (current.state, current.effective_from, current.ended_on) == (State.EFFECTIVE, SECOND_DAY, None)
    assert _log(previous)[-1] == ("supersede", "effective", "superseded", secretary, "Superseded by QT-01 revision 1.")
    assert [row[0] for row in _log(previous)].count("supersede") == 1
    assert _log(current)[-1] == ("publish", "approved", "effective", secretary, "")
    assert list(procedure.revisions.filter(state=State.EFFECTIVE)) == [current]


def test_a_superseded_revision_ends_today_when_the_new_one_has_no_date(effective, procedure, process_owner, secretary):
    successor = make_approved(services.revision_start(procedure=procedure, by=process_owner))

    services.revision_publish(revision=successor, by=secretary, signature=signed())

    assert ProcedureRevision.objects.get(pk=effective.pk).ended_on == timezone.localdate()


def test_publishing_the_first_revision_supersedes_nothing(approved, secretary):
    services.revision_publish(revision=approved, by=secretary, signature=signed())

    assert not TransitionLog.objects.filter(transition="supersede").exists()


def test_withdrawing_takes_an_effective_revision_out_of_force_and_keeps_the_reason(effective, secretary):
    revision = services.revision_withdraw(revision=effective, by=secretary, comment="Thủ tục bị bãi bỏ.")

    stored = ProcedureRevision.objects.get(pk=effective.pk)
    assert revision.state == stored.state == State.WITHDRAWN
    assert (stored.withdrawal_reason, stored.ended_on) == ("Thủ tục bị bãi bỏ.", timezone.localdate())
    assert _log(effective)[-1] == ("withdraw", "effective", "withdrawn", secretary, "Thủ tục bị bãi bỏ.")


def test_each_transition_writes_exactly_one_log_row(draft, process_owner, approver, secretary):
    services.revision_submit(revision=draft, by=process_owner, comment="Lần 1")
    services.revision_return(revision=draft, by=approver, comment="Sửa bước XL")
    services.revision_submit(revision=draft, by=process_owner, comment="Lần 2")
    services.revision_approve(revision=draft, by=approver, signature=signed())
    services.revision_publish(revision=draft, by=secretary, comment="Ban hành", signature=signed())
    services.revision_withdraw(revision=draft, by=secretary, comment="Bãi bỏ")

    assert _log(draft) == [
        ("submit", "draft", "in_review", process_owner, "Lần 1"),
        ("return_to_author", "in_review", "draft", approver, "Sửa bước XL"),
        ("submit", "draft", "in_review", process_owner, "Lần 2"),
        ("approve", "in_review", "approved", approver, ""),
        ("publish", "approved", "effective", secretary, "Ban hành"),
        ("withdraw", "effective", "withdrawn", secretary, "Bãi bỏ"),
    ]
    assert TransitionLog.objects.count() == 6


def test_the_history_selector_lists_the_log_of_one_revision_in_order(effective, procedure, process_owner):
    other = make_approved(services.revision_start(procedure=procedure, by=process_owner))

    history = selectors.revision_history(revision=effective)

    assert [row.transition for row in history] == ["submit", "approve", "publish"]
    assert all(row.object_id == effective.pk for row in history)
    assert [row.transition for row in selectors.revision_history(revision=other)] == ["submit", "approve"]


# Refusals: the role


SUBMIT_REFUSED = "Only a process owner or the ISO secretary may submit a revision."
RETURN_REFUSED = "Only a reviewer or an approver may return a revision."
APPROVE_REFUSED = "Only an approver may approve a revision."
PUBLISH_REFUSED = "Only the ISO secretary may publish a revision."
WITHDRAW_REFUSED = "Only the ISO secretary may withdraw a revision."


def _assert_nothing_changed(revision, state, log_before):
    assert _state(revision) == state
    assert _log(revision) == log_before


@pytest.mark.parametrize("user", ["approver", "staff", "auditor", "viewer"])
def test_only_a_process_owner_or_the_secretary_may_submit(request, draft, user):
    by = request.getfixturevalue(user)

    assert _refused(lambda: services.revision_submit(revision=draft, by=by)) == SUBMIT_REFUSED
    _assert_nothing_changed(draft, State.DRAFT, [])


@pytest.mark.parametrize("user", ["process_owner", "staff", "auditor", "viewer"])
def test_only_a_reviewer_or_an_approver_may_return_a_revision(request, in_review, user):
    by = request.getfixturevalue(user)
    log_before = _log(in_review)

    assert _refused(lambda: services.revision_return(revision=in_review, by=by, comment="Sửa")) == RETURN_REFUSED
    _assert_nothing_changed(in_review, State.IN_REVIEW, log_before)


@pytest.mark.parametrize("user", ["secretary", "process_owner", "staff", "auditor", "viewer"])
def test_only_an_approver_may_approve(request, in_review, user):
    by = request.getfixturevalue(user)
    log_before = _log(in_review)

    assert _refused(lambda: services.revision_approve(revision=in_review, by=by, signature=signed())) == APPROVE_REFUSED
    _assert_nothing_changed(in_review, State.IN_REVIEW, log_before)


@pytest.mark.parametrize("user", ["approver", "process_owner", "staff", "auditor", "viewer"])
def test_only_the_secretary_may_publish(request, approved, user):
    by = request.getfixturevalue(user)
    log_before = _log(approved)

    assert _refused(lambda: services.revision_publish(revision=approved, by=by, signature=signed())) == PUBLISH_REFUSED
    _assert_nothing_changed(approved, State.APPROVED, log_before)


@pytest.mark.parametrize("user", ["approver", "process_owner", "staff", "auditor", "viewer"])
def test_only_the_secretary_may_withdraw(request, effective, user):
    by = request.getfixturevalue(user)
    log_before = _log(effective)

    assert _refused(lambda: services.revision_withdraw(revision=effective, by=by, comment="Bãi bỏ")) == WITHDRAW_REFUSED
    _assert_nothing_changed(effective, State.EFFECTIVE, log_before)


def test_only_the_secretary_may_supersede(effective, approver):
    log_before = _log(effective)

    message = _refused(lambda: transition_apply(effective, "supersede", by=approver, internal=True))

    assert message == "Only the ISO secretary may supersede a revision."
    _assert_nothing_changed(effective, State.EFFECTIVE, log_before)


def test_superseding_is_never_done_on_its_own_even_by_the_secretary(effective, secretary):
    log_before = _log(effective)

    message = _refused(lambda: transition_apply(effective, "supersede", by=secretary))

    assert message == "“Supersede” happens only as part of another action, never on its own."
    _assert_nothing_changed(effective, State.EFFECTIVE, log_before)


def test_a_revision_cannot_take_effect_before_the_one_it_replaces(effective, procedure, process_owner, secretary):
    successor = make_approved(services.revision_start(procedure=procedure, by=process_owner))
    earlier = effective.effective_from - datetime.timedelta(days=1)

    with override("en"):
        with pytest.raises(ValidationError) as excinfo:
            services.revision_publish(revision=successor, by=secretary, effective_from=earlier, signature=signed())
        expected = f"{successor} cannot take effect before {effective} did ({effective.effective_from:%d/%m/%Y})."

    assert excinfo.value.message_dict["effective_from"] == [expected]
    assert _state(effective) == State.EFFECTIVE


def test_publishing_with_a_refused_role_leaves_the_previous_revision_effective(
    effective, procedure, process_owner, approver
):
    successor = make_approved(services.revision_start(procedure=procedure, by=process_owner))

    assert _refused(lambda: services.revision_publish(revision=successor, by=approver, signature=signed())) == PUBLISH_REFUSED
    assert _state(effective) == State.EFFECTIVE
    assert _state(successor) == State.APPROVED


def test_a_deactivated_user_loses_the_rights_of_their_role(approved, secretary):
    secretary.is_active = False
    secretary.save()

    assert _refused(lambda: services.revision_publish(revision=approved, by=secretary, signature=signed())) == PUBLISH_REFUSED


def test_the_author_cannot_approve_their_own_revision(unit):
    author = UserFactory(roles=[Role.PROCESS_OWNER, Role.APPROVER], unit=unit)
    revision = ProcedureRevisionFactory(author=author)
    build_step_graph(revision)
    services.revision_submit(revision=revision, by=author)

    message = _refused(lambda: services.revision_approve(revision=revision, by=author, signature=signed()))

    assert message == (
        "You wrote this revision, so you cannot approve it: an approver must be someone other than its author."
    )
    _assert_nothing_changed(revision, State.IN_REVIEW, [("submit", "draft", "in_review", author, "")])


# Refusals: what the transition asks for


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_returning_a_revision_needs_a_comment(in_review, approver, comment):
    log_before = _log(in_review)

    error = _invalid(lambda: services.revision_return(revision=in_review, by=approver, comment=comment))

    assert error.message_dict == {"comment": ["Say what must change before the revision can be approved."]}
    _assert_nothing_changed(in_review, State.IN_REVIEW, log_before)


@pytest.mark.parametrize("comment", ["", "  "])
def test_withdrawing_a_revision_needs_a_reason(effective, secretary, comment):
    log_before = _log(effective)

    error = _invalid(lambda: services.revision_withdraw(revision=effective, by=secretary, comment=comment))

    assert error.message_dict == {"comment": ["Give the reason for withdrawing the revision."]}
    _assert_nothing_changed(effective, State.EFFECTIVE, log_before)
    assert ProcedureRevision.objects.get(pk=effective.pk).ended_on is None


def test_submitting_a_revision_whose_graph_is_unsound_names_the_offending_step(procedure, process_owner):
    revision = procedure.revisions.get()
    build_step_graph(revision)
    StepFactory(revision=revision, code="B9", name="Bước thừa")

    error = _invalid(lambda: services.revision_submit(revision=revision, by=process_owner))

    assert error.messages == [
        "Step B9 cannot be reached from the start step TN.",
        "No end step can be reached from step B9.",
    ]
    _assert_nothing_changed(revision, State.DRAFT, [])


def test_submitting_a_revision_without_steps_is_refused(procedure, process_owner):
    revision = procedure.revisions.get()

    error = _invalid(lambda: services.revision_submit(revision=revision, by=process_owner))

    assert error.messages == ["The revision has no steps."]
    _assert_nothing_changed(revision, State.DRAFT, [])


# Refusals: the state


@pytest.mark.parametrize(
    ("state", "name", "user", "message"),
    [
        ("draft", "approve", "approver", "“Approve” is not possible while QT-01 revision 0 is draft."),
        ("draft", "return_to_author", "approver", "“Return to author” is not possible while QT-01 revision 0 is draft."),
        ("draft", "publish", "secretary", "“Publish” is not possible while QT-01 revision 0 is draft."),
        ("draft", "withdraw", "secretary", "“Withdraw” is not possible while QT-01 revision 0 is draft."),
        ("in_review", "submit", "process_owner", "“Submit for review” is not possible while QT-01 revision 0 is in review."),
        ("in_review", "publish", "secretary", "“Publish” is not possible while QT-01 revision 0 is in review."),
        ("approved", "approve", "second_approver", "“Approve” is not possible while QT-01 revision 0 is approved."),
        ("approved", "return_to_author", "approver", "“Return to author” is not possible while QT-01 revision 0 is approved."),
        ("effective", "publish", "secretary", "“Publish” is not possible while QT-01 revision 0 is effective."),
        ("effective", "submit", "secretary", "“Submit for review” is not possible while QT-01 revision 0 is effective."),
        ("superseded", "withdraw", "secretary", "“Withdraw” is not possible while QT-01 revision 0 is superseded."),
        ("superseded", "publish", "secretary", "“Publish” is not possible while QT-01 revision 0 is superseded."),
        ("withdrawn", "withdraw", "secretary", "“Withdraw” is not possible while QT-01 revision 0 is withdrawn."),
        ("withdrawn", "publish", "secretary", "“Publish” is not possible while QT-01 revision 0 is withdrawn."),
    ],
)
def test_a_transition_from_the_wrong_state_is_refused(request, state, name, user, message):
    revision = request.getfixturevalue(state)
    by = request.getfixturevalue(user)
    log_before = _log(revision)

    signature = {"signature": signed()} if name in ("approve", "publish") else {}
    refused = _refused(lambda: services.REVISION_TRANSITIONS[name](revision=revision, by=by, comment="Ghi chú", **signature))

    assert refused == message
    _assert_nothing_changed(revision, state, log_before)


def test_a_stale_copy_cannot_apply_a_transition_already_applied(draft, process_owner, approver, second_approver):
    stale = ProcedureRevision.objects.get(pk=draft.pk)
    services.revision_submit(revision=draft, by=process_owner)
    stale_in_review = ProcedureRevision.objects.get(pk=draft.pk)
    services.revision_approve(revision=draft, by=approver, signature=signed())
    assert (stale.state, stale_in_review.state) == (State.DRAFT, State.IN_REVIEW)

    with override("en"):
        assert _refused(lambda: services.revision_submit(revision=stale, by=process_owner)) == (
            "“Submit for review” is not possible while QT-01 revision 0 is approved."
        )
        assert _refused(lambda: services.revision_approve(revision=stale_in_review, by=second_approver, signature=signed())) == (
            "“Approve” is not possible while QT-01 revision 0 is approved."
        )
    assert [row[0] for row in _log(draft)] == ["submit", "approve"]


# A revision is frozen once it leaves draft


class PurposeForm(django_forms.ModelForm):
    class Meta:
        model = ProcedureRevision
        fields = ["purpose"]


def test_a_draft_is_editable(draft):
    draft.ensure_editable()

    assert draft.is_editable


def test_saving_edits_to_a_draft_saves_the_forms(draft, process_owner):
    form = PurposeForm(data={"purpose": "Mục đích mới."}, instance=draft)
    assert form.is_valid()

    services.revision_save_edits(revision=draft, by=process_owner, forms=[form], edit_version=0)

    assert ProcedureRevision.objects.get(pk=draft.pk).purpose == "Mục đích mới."


FROZEN = [
    ("in_review", "in review"),
    ("approved", "approved"),
    ("effective", "effective"),
    ("superseded", "superseded"),
    ("withdrawn", "withdrawn"),
]


@pytest.mark.parametrize(("state", "shown"), FROZEN)
def test_a_revision_past_draft_cannot_be_edited(request, state, shown):
    revision = request.getfixturevalue(state)

    error = _invalid(revision.ensure_editable)

    assert not revision.is_editable
    assert error.messages == [
        f"QT-01 revision 0 is {shown} and can no longer be edited; start a new revision instead."
    ]


@pytest.mark.parametrize(("state", "shown"), FROZEN)
def test_saving_edits_to_a_frozen_revision_is_refused_and_saves_nothing(request, process_owner, state, shown):
    revision = request.getfixturevalue(state)
    form = PurposeForm(data={"purpose": "Sửa lén."}, instance=revision)
    assert form.is_valid()

    error = _invalid(lambda: services.revision_save_edits(revision=revision, by=process_owner, forms=[form], edit_version=0))

    assert error.messages == [
        f"QT-01 revision 0 is {shown} and can no longer be edited; start a new revision instead."
    ]
    assert ProcedureRevision.objects.get(pk=revision.pk).purpose.startswith("Quy định trình tự")


def test_edits_opened_on_a_draft_are_refused_once_it_has_been_submitted(draft, process_owner):
    form = PurposeForm(data={"purpose": "Sửa muộn."}, instance=draft)
    assert form.is_valid()
    services.revision_submit(revision=ProcedureRevision.objects.get(pk=draft.pk), by=process_owner)

    error = _invalid(lambda: services.revision_save_edits(revision=draft, by=process_owner, forms=[form], edit_version=0))

    assert "can no longer be edited" in error.messages[0]
    stored = ProcedureRevision.objects.get(pk=draft.pk)
    assert (stored.state, stored.purpose.startswith("Quy định trình tự")) == (State.IN_REVIEW, True)


def test_each_save_of_a_draft_moves_its_edit_version_on(draft, process_owner):
    first = PurposeForm(data={"purpose": "Lần một."}, instance=draft)
    assert first.is_valid()
    services.revision_save_edits(revision=draft, by=process_owner, forms=[first], edit_version=0)
    stored = ProcedureRevision.objects.get(pk=draft.pk)
    second = PurposeForm(data={"purpose": "Lần hai."}, instance=stored)
    assert second.is_valid()
    services.revision_save_edits(revision=stored, by=process_owner, forms=[second], edit_version=1)

    stored = ProcedureRevision.objects.get(pk=draft.pk)
    assert (stored.purpose, stored.edit_version) == ("Lần hai.", 2)


def test_an_edit_opened_before_someone_else_saved_is_refused_and_saves_nothing(draft, process_owner, secretary):
    mine = PurposeForm(data={"purpose": "Bản của tôi."}, instance=ProcedureRevision.objects.get(pk=draft.pk))
    theirs = PurposeForm(data={"purpose": "Bản của thư ký."}, instance=ProcedureRevision.objects.get(pk=draft.pk))
    assert mine.is_valid() and theirs.is_valid()
    services.revision_save_edits(revision=theirs.instance, by=secretary, forms=[theirs], edit_version=0)

    with override("en"):
        error = _invalid(
            lambda: services.revision_save_edits(revision=mine.instance, by=process_owner, forms=[mine], edit_version=0)
        )

    assert error.messages[0].startswith("Someone else changed the procedure revision “QT-01 revision 0” at ")
    assert error.messages[0].endswith("after you opened it: your changes were not saved. "
                                      "Open it again to see their version, then make your changes on it.")
    stored = ProcedureRevision.objects.get(pk=draft.pk)
    assert (stored.purpose, stored.edit_version) == ("Bản của thư ký.", 1)


# Starting a new revision


def test_starting_a_revision_copies_the_effective_one_into_a_new_draft(procedure, process_owner, approver, secretary):
    source = procedure.revisions.get()
    other_unit = OrgUnitFactory(code="TP", name="Phòng Tư pháp")
    declaration = FormTemplateFactory(revision=source, code="BM.01", title="Tờ khai")
    receipt = FormTemplateFactory(revision=source, code="BM.02", title="Giấy tiếp nhận")
    RecordToKeepFactory(revision=source, position=1, name="Sổ đăng ký", keeper="Tư pháp", retention_years=None)
    RecordToKeepFactory(revision=source, position=2, name="Phiếu kiểm soát", keeper="Một cửa", retention_years=5)
    steps = build_step_graph(source)
    steps["TN"].forms.set([declaration, receipt])
    steps["XL"].forms.set([receipt])
    Step.objects.filter(pk=steps["XL"].pk).update(
        responsible_unit=other_unit, responsible_role=Role.PROCESS_OWNER, description="Thẩm định hồ sơ"
    )
    source = make_effective(source, approver=approver, publisher=secretary)

    draft = services.revision_start(procedure=procedure, by=secretary)

    assert (draft.number, draft.state, draft.author) == (1, State.DRAFT, secretary)
    for field in ("purpose", "scope", "references", "definitions", "content"):
        assert getattr(draft, field) == getattr(source, field)
    assert (draft.approved_by, draft.published_by, draft.effective_from) == (None, None, None)

    def steps_of(revision):
        return [
            (s.code, s.position, s.name, s.kind, s.responsible_unit_id, s.responsible_role, s.time_limit,
             s.time_unit, s.description, sorted(f.code for f in s.forms.all()))
            for s in revision.steps.prefetch_related("forms")
        ]

    def edges_of(revision):
        return sorted((e.source.code, e.target.code, e.action) for e in revision.edges.select_related("source", "target"))

    def forms_of(revision):
        return [(f.code, f.title) for f in revision.forms.all()]

    def records_of(revision):
        return [(r.position, r.name, r.keeper, r.retention_years) for r in revision.records_to_keep.all()]

    assert steps_of(draft) == steps_of(source)
    assert ("XL", 1, "Thẩm định, xử lý", "task", other_unit.pk, "process_owner", Decimal("3.00"), "working_days",
            "Thẩm định hồ sơ", ["BM.02"]) in steps_of(draft)
    assert edges_of(draft) == edges_of(source)
    assert forms_of(draft) == forms_of(source) == [("BM.01", "Tờ khai"), ("BM.02", "Giấy tiếp nhận")]
    assert records_of(draft) == records_of(source)
    assert len(records_of(draft)) == 2


def test_a_started_revision_owns_its_copies_and_leaves_the_source_untouched(effective, procedure, process_owner):
    FormTemplateFactory(revision=effective, code="BM.01")
    source_steps = set(effective.steps.values_list("pk", flat=True))
    source_edges = set(effective.edges.values_list("pk", flat=True))
    source_forms = set(effective.forms.values_list("pk", flat=True))

    draft = services.revision_start(procedure=procedure, by=process_owner)

    assert set(draft.steps.values_list("pk", flat=True)).isdisjoint(source_steps)
    assert set(draft.edges.values_list("pk", flat=True)).isdisjoint(source_edges)
    assert set(draft.forms.values_list("pk", flat=True)).isdisjoint(source_forms)
    assert set(draft.edges.values_list("source__revision", flat=True)) == {draft.pk}
    assert set(draft.edges.values_list("target__revision", flat=True)) == {draft.pk}
    assert set(effective.steps.values_list("pk", flat=True)) == source_steps
    assert set(effective.edges.values_list("pk", flat=True)) == source_edges
    assert draft.step_graph().errors() == []


def test_the_step_form_links_of_a_copy_point_to_the_copied_forms(effective, procedure, process_owner):
    form = FormTemplateFactory(revision=effective, code="BM.01")
    effective.steps.get(code="TN").forms.set([form])

    draft = services.revision_start(procedure=procedure, by=process_owner)

    copied = draft.steps.get(code="TN").forms.get()
    assert (copied.revision, copied.code) == (draft, "BM.01")
    assert list(effective.steps.get(code="TN").forms.all()) == [form]


@pytest.mark.parametrize(("state", "shown"), [("draft", "draft"), ("in_review", "in review"), ("approved", "approved")])
def test_a_new_revision_cannot_be_started_while_one_is_still_open(request, procedure, secretary, state, shown):
    request.getfixturevalue(state)

    error = _invalid(lambda: services.revision_start(procedure=procedure, by=secretary))

    assert error.messages == [f"QT-01 revision 0 is still {shown}; finish it before starting another revision."]
    assert procedure.revisions.count() == 1


def test_revision_numbers_count_from_0(effective, procedure, process_owner, secretary):
    first = services.revision_start(procedure=procedure, by=process_owner)
    make_effective(first, publisher=secretary)
    second = services.revision_start(procedure=procedure, by=process_owner)

    assert [r.number for r in procedure.revisions.order_by("number")] == [0, 1, 2]
    assert (first.number, second.number) == (1, 2)


def test_the_first_revision_of_a_procedure_without_any_is_number_0(process_owner):
    procedure = ProcedureFactory()

    revision = services.revision_start(procedure=procedure, by=process_owner)

    assert (revision.number, revision.state) == (0, State.DRAFT)


def test_after_a_withdrawal_the_new_revision_copies_the_withdrawn_one(withdrawn, procedure, process_owner):
    draft = services.revision_start(procedure=procedure, by=process_owner)

    assert draft.number == 1
    assert draft.purpose == withdrawn.purpose
    assert draft.steps.count() == withdrawn.steps.count() == 5


# Acknowledgements


def test_a_reader_acknowledges_an_effective_revision_once(effective, staff):
    first = services.revision_acknowledge(revision=effective, user=staff)
    again = services.revision_acknowledge(revision=effective, user=staff)

    assert first == again
    assert Acknowledgement.objects.filter(revision=effective, user=staff).count() == 1


@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "superseded", "withdrawn"])
def test_only_an_effective_revision_can_be_acknowledged(request, staff, state):
    revision = request.getfixturevalue(state)

    error = _invalid(lambda: services.revision_acknowledge(revision=revision, user=staff))

    assert error.messages == ["Only an effective revision can be acknowledged."]
    assert not Acknowledgement.objects.exists()


def test_pending_readers_are_the_expected_readers_who_have_not_acknowledged(
    effective, unit, secretary, approver, process_owner, staff, auditor, viewer, second_approver
):
    step_unit = OrgUnitFactory(code="TP", name="Phòng Tư pháp")
    Step.objects.filter(revision=effective, code="XL").update(responsible_unit=step_unit)
    clerk = UserFactory(unit=step_unit, roles=[Role.STAFF])
    UserFactory(unit=OrgUnitFactory(code="ZZ"), roles=[Role.STAFF])  # not concerned
    UserFactory(unit=unit, is_active=False)  # left the agency
    services.revision_acknowledge(revision=effective, user=staff)
    services.revision_acknowledge(revision=effective, user=clerk)

    pending = set(selectors.revision_pending_readers(revision=effective))

    assert pending == {secretary, approver, second_approver, process_owner, auditor, viewer}


def test_acknowledging_another_revision_does_not_count(effective, procedure, process_owner, staff, secretary):
    services.revision_acknowledge(revision=effective, user=staff)
    successor = make_effective(services.revision_start(procedure=procedure, by=process_owner), publisher=secretary)

    assert staff in selectors.revision_pending_readers(revision=successor)
    assert staff not in selectors.revision_pending_readers(revision=effective)


# Comparing revisions


def test_the_diff_reports_added_and_removed_lines_in_their_section(effective, procedure, process_owner):
    draft = services.revision_start(procedure=procedure, by=process_owner)
    draft.purpose = "Quy định trình tự đăng ký khai sinh.\nBảo đảm đúng hẹn 99,98%."
    draft.save()
    draft.steps.filter(code="XL").update(name="Thẩm định")
    FormTemplateFactory(revision=draft, code="BM.09", title="Phiếu hẹn")

    with override("en"):
        sections = {section.title: section for section in selectors.revision_diff(old=effective, new=draft)}

    assert list(sections) == [
        "1. Purpose", "2. Scope", "3. References", "4. Definitions and abbreviations", "5. Content",
        "Steps", "6. Forms", "7. Records to keep",
    ]
    assert sections["1. Purpose"].lines == [
        (" ", "Quy định trình tự đăng ký khai sinh."),
        ("-", "Bảo đảm đúng hẹn."),
        ("+", "Bảo đảm đúng hẹn 99,98%."),
    ]
    assert ("-", "XL | Thẩm định, xử lý | 3 working days") in sections["Steps"].lines
    assert ("+", "XL | Thẩm định | 3 working days") in sections["Steps"].lines
    assert [line for line in sections["Steps"].lines if line[0] != " "] == [
        ("-", "XL | Thẩm định, xử lý | 3 working days"),
        ("+", "XL | Thẩm định | 3 working days"),
    ]
    assert sections["6. Forms"].lines == [("+", "BM.09 Phiếu hẹn")]
    changed = {title for title, section in sections.items() if section.changed}
    assert changed == {"1. Purpose", "Steps", "6. Forms"}


def test_the_diff_of_a_revision_with_itself_changes_nothing(effective):
    assert not any(section.changed for section in selectors.revision_diff(old=effective, new=effective))


def test_the_diff_reports_a_removed_record_and_move(effective, procedure, process_owner):
    RecordToKeepFactory(revision=effective, name="Sổ hộ tịch", keeper="Tư pháp", retention_years=None)
    draft = services.revision_start(procedure=procedure, by=process_owner)
    draft.records_to_keep.all().delete()
    draft.edges.filter(source__code="XL", target__code="TC").delete()

    with override("en"):
        sections = {section.title: section for section in selectors.revision_diff(old=effective, new=draft)}

    assert sections["7. Records to keep"].lines == [("-", "Sổ hộ tịch | Tư pháp | Permanent")]
    assert [line for line in sections["Steps"].lines if line[0] != " "] == [("-", "    → TC: Từ chối")]


# The buttons each user sees


def _names(revision, user) -> list[str]:
    # Sorted: django-fsm lists transitions by method name, not in declaration order.
    return sorted(choice.name for choice in available_transitions(revision, user))


def test_the_author_who_is_also_an_approver_is_not_offered_approve(unit):
    author = UserFactory(roles=[Role.PROCESS_OWNER, Role.APPROVER], unit=unit)
    revision = ProcedureRevisionFactory(author=author)
    build_step_graph(revision)
    revision = services.revision_submit(revision=revision, by=author)

    assert _names(revision, author) == ["return_to_author"]


@pytest.mark.parametrize(
    ("state", "user", "expected"),
    [
        ("draft", "process_owner", ["submit"]),
        ("draft", "secretary", ["submit"]),
        ("draft", "approver", []),
        ("in_review", "approver", ["approve", "return_to_author"]),
        ("in_review", "secretary", ["return_to_author"]),
        ("in_review", "process_owner", []),
        ("approved", "secretary", ["publish"]),
        ("approved", "approver", []),
        ("effective", "secretary", ["withdraw"]),
        ("effective", "approver", []),
        ("superseded", "secretary", []),
        ("withdrawn", "secretary", []),
    ],
)
def test_a_user_is_offered_only_the_transitions_they_may_press(request, state, user, expected):
    revision = request.getfixturevalue(state)

    assert _names(revision, request.getfixturevalue(user)) == expected


@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "effective", "superseded", "withdrawn"])
@pytest.mark.parametrize("user", ["staff", "viewer", "auditor"])
def test_staff_viewers_and_auditors_are_offered_nothing(request, state, user):
    assert _names(request.getfixturevalue(state), request.getfixturevalue(user)) == []


@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "effective", "superseded", "withdrawn"])
def test_every_offered_transition_is_one_a_user_can_press(request, state):
    revision = request.getfixturevalue(state)
    users = [request.getfixturevalue(name) for name in ("process_owner", "approver", "second_approver", "secretary")]

    offered = {choice.name for user in users for choice in available_transitions(revision, user)}

    assert offered <= set(services.REVISION_TRANSITIONS)


def test_an_offered_transition_says_what_it_asks_for(in_review, approved, effective, approver, secretary):
    with override("en"):
        in_review_choices = {c.name: c for c in available_transitions(in_review, approver)}
        publish = available_transitions(approved, secretary)[0]

    assert (in_review_choices["approve"].label, in_review_choices["approve"].asks) == ("Approve", "")
    assert (in_review_choices["return_to_author"].label, in_review_choices["return_to_author"].asks) == (
        "Return to author",
        "comment",
    )
    assert (publish.name, publish.label, publish.asks) == ("publish", "Publish", "date")


def test_an_inactive_user_is_offered_nothing(in_review, approver):
    approver.is_active = False

    assert _names(in_review, approver) == []


def test_only_those_who_draft_procedures_may_register_one_or_start_a_revision(procedure, staff, unit):
    with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may register a procedure."):
        services.procedure_create(code="QT-77", title="Thử", owner_unit=unit, category="management", by=staff)
    with override("en"), pytest.raises(PermissionDenied, match="Only a process owner or the ISO secretary may start a revision."):
        services.revision_start(procedure=procedure, by=staff)
    assert not Procedure.objects.filter(code="QT-77").exists()


def test_readers_of_a_revision_include_the_members_of_sub_units(procedure, secretary, approver):
    section = OrgUnitFactory(parent=procedure.owner_unit)
    clerk = UserFactory(unit=section, roles=[Role.STAFF])
    revision = make_effective(ProcedureRevisionFactory(procedure=procedure, author=secretary), approver=approver)
    assert clerk in selectors.revision_readers(revision=revision)
