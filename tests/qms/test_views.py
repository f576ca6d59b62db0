"""Pages of the scope and the policy: who reads and changes what, the transitions with signatures,
the editor, the acknowledgement of the policy, and query counts."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iso.models import Clause, Role
from qms import services
from qms.models import PolicyRevision, QmsDocument, QmsRevision, ScopeRevision

from ..factories import (
    ContextIssueFactory,
    InterestedPartyFactory,
    OrgUnitFactory,
    PolicyCommitmentFactory,
    PolicyRevisionFactory,
    ScopeRevisionFactory,
    UserFactory,
    make_effective,
    make_in_review,
    signed_post,
)

pytestmark = pytest.mark.django_db

State = QmsRevision.State
TODAY = timezone.localdate()
#: Pages answer in the language the browser asks for.
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _url(name, *args):
    return reverse(f"qms:{name}", args=args)


@pytest.fixture
def effective_policy(secretary, approver):
    revision = PolicyRevisionFactory(author=secretary, text="Lấy sự hài lòng của người dân làm thước đo.")
    PolicyCommitmentFactory(revision=revision, text="Giải quyết hồ sơ đúng hẹn")
    return make_effective(revision, approver=approver, publisher=secretary)


@pytest.fixture
def scope_draft(secretary):
    revision = ScopeRevisionFactory(author=secretary, statement="Bản nháp phạm vi CHƯA-BAN-HÀNH")
    ContextIssueFactory(revision=revision, description="Vấn đề nội bộ CHƯA-BAN-HÀNH")
    return revision


# Who reads and who changes


def test_everyone_signed_in_reads_the_policy_in_force(client, effective_policy, viewer, staff, auditor):
    for user in (viewer, staff, auditor):
        client.force_login(user)
        response = client.get(effective_policy.get_absolute_url())
        assert response.status_code == 200
        assert "Giải quyết hồ sơ đúng hẹn" in response.content.decode()
        assert client.get(_url("policy_detail")).status_code == 200


def test_drafts_are_for_the_secretary_and_the_approvers_only(client, scope_draft, secretary, approver, staff, viewer):
    url = scope_draft.get_absolute_url()
    for user, status in ((secretary, 200), (approver, 200), (staff, 404), (viewer, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
        assert client.get(_url("scope_revision_print", scope_draft.number)).status_code == status
    client.force_login(staff)
    assert "CHƯA-BAN-HÀNH" not in client.get(_url("scope_detail")).content.decode()
    assert "CHƯA-BAN-HÀNH" not in client.get(_url("index")).content.decode()


def test_only_the_secretary_edits_a_draft(client, scope_draft, secretary, approver, staff):
    url = _url("scope_revision_edit", scope_draft.number)
    client.force_login(secretary)
    assert client.get(url).status_code == 200
    client.force_login(approver)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 404


def test_a_published_revision_cannot_be_changed_by_staff(client, effective_policy, staff):
    client.force_login(staff)
    assert client.get(_url("policy_revision_edit", effective_policy.number)).status_code == 403
    response = client.post(_url("policy_revision_transition", effective_policy.number), {"transition": "withdraw", "comment": "x"})
    assert response.status_code == 403
    assert PolicyRevision.objects.get(pk=effective_policy.pk).state == State.EFFECTIVE
    assert client.post(_url("policy_revision_start")).status_code == 403


# The whole lifecycle through the pages


def test_the_secretary_registers_writes_and_publishes_the_scope_through_the_pages(client, secretary, approver):
    unit = OrgUnitFactory(code="MC", name="Bộ phận Một cửa")
    client.force_login(secretary)
    response = client.post(_url("scope_create"), {"code": "STCL-01", "title": "Phạm vi và bối cảnh"})
    assert response.status_code == 302 and response.url == _url("scope_revision_edit", 0)
    revision = ScopeRevision.objects.get()
    clause = Clause.objects.get(number="8.3")
    data = {
        "content-statement": "Giải quyết thủ tục hành chính tại Bộ phận Một cửa.",
        "content-units": [unit.pk], "content-change_summary": "Ban hành lần đầu", "content-edit_version": 0,
        "excluded-TOTAL_FORMS": 1, "excluded-INITIAL_FORMS": 0,
        "excluded-0-position": 1, "excluded-0-clause": clause.pk,
        "excluded-0-justification": "Thủ tục hành chính do pháp luật quy định, cơ quan không thiết kế dịch vụ.",
        "issues-TOTAL_FORMS": 1, "issues-INITIAL_FORMS": 0,
        "issues-0-position": 1, "issues-0-kind": "external", "issues-0-description": "Luật Đất đai 2024",
        "issues-0-effect": "Sửa quy trình",
        "parties-TOTAL_FORMS": 1, "parties-INITIAL_FORMS": 0,
        "parties-0-position": 1, "parties-0-party": "Người dân, doanh nghiệp", "parties-0-requirements": "Đúng hẹn",
        "parties-0-monitoring": "Khảo sát",
        "save_and_close": "1",
    }
    response = client.post(_url("scope_revision_edit", 0), data)
    assert response.status_code == 302 and response.url == revision.get_absolute_url(), _messages(response)
    revision.refresh_from_db()
    assert revision.edit_version == 1 and list(revision.units.all()) == [unit]
    assert [e.clause.number for e in revision.excluded_clauses.all()] == ["8.3"]

    transition = _url("scope_revision_transition", 0)
    client.post(transition, {"transition": "submit"})
    client.force_login(approver)
    client.post(transition, {"transition": "approve", **signed_post()})
    client.force_login(secretary)
    response = client.post(
        transition, {"transition": "publish", "effective_from": TODAY.isoformat(), **signed_post("reviewed")}
    )
    revision.refresh_from_db()
    assert revision.state == State.EFFECTIVE, _messages(response)
    page = client.get(_url("scope_detail")).content.decode()
    assert "Luật Đất đai 2024" in page and "Người dân, doanh nghiệp" in page


def test_the_secretary_writes_the_policy_and_its_commitments_in_the_editor(client, secretary):
    revision = PolicyRevisionFactory(author=secretary, text="")
    client.force_login(secretary)
    url = _url("policy_revision_edit", revision.number)
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "content-text": "Lấy sự hài lòng của người dân làm thước đo.", "content-change_summary": "",
        "content-edit_version": 0,
        "commitments-TOTAL_FORMS": 2, "commitments-INITIAL_FORMS": 0,
        "commitments-0-position": 1, "commitments-0-text": "Đúng hẹn",
        "commitments-1-position": 2, "commitments-1-text": "Công khai, minh bạch",
    })
    assert response.status_code == 302 and response.url == url
    revision.refresh_from_db()
    assert revision.text == "Lấy sự hài lòng của người dân làm thước đo."
    assert [c.text for c in revision.commitments.all()] == ["Đúng hẹn", "Công khai, minh bạch"]


def test_a_not_applicable_clause_that_4_3_does_not_allow_is_refused_by_the_editor(client, scope_draft, secretary):
    client.force_login(secretary)
    data = {
        "content-statement": "Phạm vi", "content-units": [u.pk for u in scope_draft.units.all()],
        "content-edit_version": 0,
        "excluded-TOTAL_FORMS": 1, "excluded-INITIAL_FORMS": 0, "excluded-0-position": 1,
        "excluded-0-clause": Clause.objects.get(number="9.2").pk, "excluded-0-justification": "",
        "issues-TOTAL_FORMS": 0, "issues-INITIAL_FORMS": 0, "parties-TOTAL_FORMS": 0, "parties-INITIAL_FORMS": 0,
    }
    response = client.post(_url("scope_revision_edit", scope_draft.number), data, **EN)
    assert response.status_code == 200
    errors = response.context["excluded_formset"].errors[0]
    assert "clause" in errors and errors["justification"] == ["This field is required."]
    assert not scope_draft.excluded_clauses.exists()


def test_the_editor_of_a_revision_in_review_sends_back_with_the_reason(client, scope_draft, secretary):
    make_in_review(scope_draft)
    client.force_login(secretary)
    response = client.get(_url("scope_revision_edit", scope_draft.number), **EN)
    assert response.status_code == 302 and response.url == scope_draft.get_absolute_url()
    assert "can no longer be edited" in _messages(response)[0]


def test_approving_without_a_signature_is_refused_on_the_page(client, scope_draft, approver):
    make_in_review(scope_draft)
    client.force_login(approver)
    response = client.post(_url("scope_revision_transition", scope_draft.number), {"transition": "approve"}, **EN)
    assert "needs your electronic signature" in _messages(response)[0]
    assert ScopeRevision.objects.get(pk=scope_draft.pk).state == State.IN_REVIEW


def test_the_detail_offers_the_transitions_the_user_may_press(client, scope_draft, secretary, approver):
    make_in_review(scope_draft)
    url = scope_draft.get_absolute_url()
    client.force_login(approver)
    assert {t.name for t in client.get(url).context["transitions"]} == {"return_to_author", "approve"}
    client.force_login(secretary)
    assert {t.name for t in client.get(url).context["transitions"]} == {"return_to_author"}


def test_a_new_revision_is_started_from_the_page(client, effective_policy, secretary):
    client.force_login(secretary)
    response = client.post(_url("policy_revision_start"))
    assert response.status_code == 302 and response.url == _url("policy_revision_edit", 1)
    assert [c.text for c in PolicyRevision.objects.get(number=1).commitments.all()] == ["Giải quyết hồ sơ đúng hẹn"]


# The announcement of conformity


def test_the_scope_page_warns_while_the_scope_in_force_was_not_announced(client, secretary, approver, staff):
    scope = make_effective(ScopeRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    client.force_login(secretary)
    warning = "The scope changed since the last announcement"
    assert warning in client.get(_url("scope_detail"), **EN).content.decode()
    assert warning in client.get(reverse("home"), **EN).content.decode()
    # Those who act on it see it; the staff read the scope without the call to action.
    client.force_login(approver)
    assert warning in client.get(_url("index"), **EN).content.decode()
    client.force_login(staff)
    assert warning not in client.get(_url("scope_detail"), **EN).content.decode()
    client.force_login(secretary)
    response = client.post(
        _url("scope_announcement"),
        {"last_announced_on": TODAY.isoformat(), "announcement_reference": "Quyết định số 15/QĐ-UBND"},
    )
    assert response.status_code == 302
    assert QmsDocument.objects.get(pk=scope.document_id).last_announced_on == TODAY
    assert warning not in client.get(_url("scope_detail"), **EN).content.decode()
    client.force_login(staff)
    assert client.post(_url("scope_announcement"), {"last_announced_on": TODAY.isoformat()}).status_code == 403


# Acknowledging the policy


def test_the_home_page_reminds_until_the_policy_is_acknowledged(client, effective_policy, viewer):
    client.force_login(viewer)
    assert "waits for you to read it" in client.get(reverse("home"), **EN).content.decode()
    response = client.post(_url("policy_acknowledge", effective_policy.number))
    assert response.status_code == 302
    assert "waits for you to read it" not in client.get(reverse("home"), **EN).content.decode()
    assert "You have read the policy in force" in client.get(effective_policy.get_absolute_url(), **EN).content.decode()
    assert effective_policy.acknowledgements.filter(user=viewer).count() == 1
    client.post(_url("policy_acknowledge", effective_policy.number))
    assert effective_policy.acknowledgements.filter(user=viewer).count() == 1


def test_the_secretary_sees_who_has_and_has_not_read_the_policy_by_unit(client, effective_policy, secretary, staff, viewer):
    services.policy_acknowledge(revision=effective_policy, user=staff)
    client.force_login(secretary)
    response = client.get(_url("policy_acknowledgements"))
    groups = {g.unit.code: g for g in response.context["readers"] if g.unit}
    assert staff in [a.user for a in groups["VP"].acknowledged] and viewer in groups["VP"].pending
    assert response.context["acknowledged"] == 1
    client.force_login(staff)
    assert client.get(_url("policy_acknowledgements")).status_code == 403


# Query counts


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _scope_rows(revision, count):
    for _ in range(count):
        ContextIssueFactory(revision=revision)
        InterestedPartyFactory(revision=revision)
        revision.units.add(OrgUnitFactory())


def _next_scope(document, secretary, approver, count):
    draft = services.qms_revision_start(document=document, by=secretary)
    _scope_rows(draft, count)
    return make_effective(draft, approver=approver, publisher=secretary)


def test_the_scope_pages_keep_a_flat_query_count(client, secretary, approver, django_assert_max_num_queries):
    first = ScopeRevisionFactory(author=secretary)
    _scope_rows(first, 2)
    first = make_effective(first, approver=approver, publisher=secretary, effective_from=TODAY - datetime.timedelta(days=9))
    client.force_login(secretary)
    pages = [_url("index"), _url("scope_detail"), reverse("home")]
    counts = {url: _queries(client, url) for url in pages}
    detail = _queries(client, first.get_absolute_url())
    latest = first
    for _ in range(4):
        latest = _next_scope(first.document, secretary, approver, 5)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
    # The revision in force now has 22 issues, parties and units where the first had 2 of each.
    with django_assert_max_num_queries(detail):
        client.get(latest.get_absolute_url())


def test_the_acknowledgement_page_keeps_a_flat_query_count(client, effective_policy, secretary, django_assert_max_num_queries):
    client.force_login(secretary)
    url = _url("policy_acknowledgements")
    few = _queries(client, url)
    for index in range(30):
        person = UserFactory(roles=[Role.STAFF], unit=OrgUnitFactory())
        if index % 2:
            services.policy_acknowledge(revision=effective_policy, user=person)
    with django_assert_max_num_queries(few):
        client.get(url)
