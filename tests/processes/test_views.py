"""Pages of procedures and revisions: what each role sees, what they can press, and query counts."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from iso.models import Clause, Role
from processes.models import ProcedureRevision, Step

from ..factories import (
    signed_post,
    ProcedureFactory,
    ProcedureRevisionFactory,
    StepEdgeFactory,
    StepFactory,
    UserFactory,
    make_approved,
    make_effective,
    make_in_review,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _effective_procedures(count: int, *, unit, secretary, approver):
    clauses = list(Clause.objects.filter(number__in=["7.5", "8.1", "9.2"]))
    for _ in range(count):
        procedure = ProcedureFactory(owner_unit=unit)
        procedure.clauses.set(clauses)
        revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
        start = StepFactory(revision=revision, kind=Step.Kind.START)
        end = StepFactory(revision=revision, kind=Step.Kind.END)
        StepEdgeFactory(revision=revision, source=start, target=end)
        make_effective(revision, approver=approver, publisher=secretary)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["processes:procedure_list", "processes:master_list"])
def test_list_pages_keep_a_flat_query_count_from_10_to_200_procedures(
    client, url_name, unit, secretary, approver, django_assert_max_num_queries
):
    client.force_login(secretary)
    url = reverse(url_name)
    _effective_procedures(10, unit=unit, secretary=secretary, approver=approver)
    with_ten = _queries(client, url)
    _effective_procedures(190, unit=unit, secretary=secretary, approver=approver)
    with django_assert_max_num_queries(with_ten):
        response = client.get(url)
    assert response.status_code == 200
    assert with_ten <= 12


def test_home_page_keeps_a_flat_query_count(client, unit, secretary, approver, django_assert_max_num_queries):
    client.force_login(secretary)
    _effective_procedures(5, unit=unit, secretary=secretary, approver=approver)
    with_five = _queries(client, reverse("home"))
    _effective_procedures(45, unit=unit, secretary=secretary, approver=approver)
    with django_assert_max_num_queries(with_five):
        client.get(reverse("home"))


def test_every_page_but_login_asks_for_a_signed_in_user(client):
    response = client.get(reverse("processes:procedure_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_procedure_list_filters_by_search_unit_clause_and_state(client, secretary, unit):
    client.force_login(secretary)
    birth = ProcedureFactory(code="QT-06", title="Đăng ký khai sinh", owner_unit=unit)
    birth.clauses.set(Clause.objects.filter(number="8.5.1"))
    other = ProcedureFactory(code="QT-01", title="Kiểm soát tài liệu")
    ProcedureRevisionFactory(procedure=other, author=secretary)
    make_in_review(ProcedureRevisionFactory(procedure=birth, author=secretary))

    def codes(**params):
        response = client.get(reverse("processes:procedure_list"), params)
        return [p.code for p in response.context["page"]]

    assert codes(q="khai sinh") == ["QT-06"]
    assert codes(unit=unit.pk) == ["QT-06"]
    assert codes(clause="8.5") == ["QT-06"]  # a clause finds procedures of its subclauses too
    assert codes(state="draft") == ["QT-01"]
    assert codes(state="in_review") == ["QT-06"]
    assert codes() == ["QT-01", "QT-06"]


def test_revision_page_offers_only_the_transitions_the_user_may_press(client, unit, secretary, approver, staff):
    revision = make_in_review(ProcedureRevisionFactory(author=secretary, procedure__owner_unit=unit))
    url = revision.get_absolute_url()

    client.force_login(approver)
    assert {t.name for t in client.get(url).context["transitions"]} == {"return_to_author", "approve"}
    client.force_login(secretary)  # the author reviews but may not approve their own revision
    assert {t.name for t in client.get(url).context["transitions"]} == {"return_to_author"}
    client.force_login(staff)
    assert client.get(url).context["transitions"] == []


def test_approving_ones_own_revision_through_the_page_shows_why_it_is_refused(client, unit):
    author = UserFactory(roles=[Role.APPROVER, Role.PROCESS_OWNER], unit=unit)
    revision = make_in_review(ProcedureRevisionFactory(author=author))
    client.force_login(author)
    url = reverse("processes:revision_transition", args=[revision.procedure.code, revision.number])
    with override("en"):
        response = client.post(url, {"transition": "approve"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    with override("en"):
        assert _messages(response) == [
            "You wrote this revision, so you cannot approve it: an approver must be someone other than its author."
        ]
    revision.refresh_from_db()
    assert revision.state == ProcedureRevision.State.IN_REVIEW


def test_publishing_through_the_page_supersedes_the_previous_revision(client, secretary, approver):
    first = make_effective(ProcedureRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    second = ProcedureRevisionFactory(procedure=first.procedure, author=secretary)
    second = make_approved(second, approver=approver)
    client.force_login(secretary)
    url = reverse("processes:revision_transition", args=[second.procedure.code, second.number])
    response = client.post(url, {"transition": "publish", "effective_from": "2026-12-01", **signed_post()})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("superseded", "effective")
    assert str(second.effective_from) == "2026-12-01"


def test_returning_without_a_comment_is_refused_with_the_reason(client, secretary, approver):
    revision = make_in_review(ProcedureRevisionFactory(author=secretary))
    client.force_login(approver)
    url = reverse("processes:revision_transition", args=[revision.procedure.code, revision.number])
    response = client.post(url, {"transition": "return_to_author", "comment": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    with override("en"):
        assert _messages(response) == ["Say what must change before the revision can be approved."]
    revision.refresh_from_db()
    assert revision.state == ProcedureRevision.State.IN_REVIEW


def test_the_editor_of_a_frozen_revision_sends_the_user_back_with_the_reason(client, secretary, approver):
    revision = make_effective(ProcedureRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    client.force_login(secretary)
    response = client.get(
        reverse("processes:revision_edit", args=[revision.procedure.code, revision.number]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    with override("en"):
        assert _messages(response) == [
            f"{revision.procedure.code} revision 0 is effective and can no longer be edited; start a new revision instead."
        ]


def test_the_editor_saves_content_and_steps_of_a_draft(client, secretary):
    revision = ProcedureRevisionFactory(author=secretary)
    client.force_login(secretary)
    url = reverse("processes:revision_edit", args=[revision.procedure.code, revision.number])
    data = {
        "content-purpose": "Mục đích mới",
        "content-scope": "Phạm vi",
        "content-references": "",
        "content-definitions": "",
        "content-content": "",
        "content-change_summary": "Sửa mục đích",
        "content-edit_version": "0",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-position": "1",
        "steps-0-code": "B1",
        "steps-0-name": "Tiếp nhận",
        "steps-0-kind": "start",
        "steps-0-time_limit": "0.5",
        "steps-0-time_unit": "working_days",
    }
    for prefix in ("forms", "edges", "records"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [f.errors for f in response.context["steps_formset"]]
    revision.refresh_from_db()
    assert revision.purpose == "Mục đích mới"
    assert list(revision.steps.values_list("code", "name")) == [("B1", "Tiếp nhận")]


def test_a_staff_member_cannot_create_procedures(client, staff):
    client.force_login(staff)
    assert client.get(reverse("processes:procedure_create")).status_code == 403


def test_secretary_creates_a_procedure_with_a_draft_revision_zero(client, secretary, unit):
    client.force_login(secretary)
    response = client.post(
        reverse("processes:procedure_create"),
        {"code": "QT-20", "title": "Đăng ký kết hôn", "owner_unit": unit.pk, "category": "administrative"},
    )
    assert response.status_code == 302
    revision = ProcedureRevision.objects.get(procedure__code="QT-20")
    assert (revision.number, revision.state, revision.author) == (0, "draft", secretary)


def test_staff_acknowledge_an_effective_revision_and_the_secretary_sees_who_has_not(
    client, secretary, approver, staff, unit
):
    revision = ProcedureRevisionFactory(author=secretary, procedure=ProcedureFactory(owner_unit=unit))
    revision = make_effective(revision, approver=approver, publisher=secretary)
    client.force_login(secretary)
    pending = client.get(revision.get_absolute_url()).context["pending_readers"]
    assert staff in pending

    client.force_login(staff)
    url = reverse("processes:revision_acknowledge", args=[revision.procedure.code, revision.number])
    assert client.post(url).status_code == 302
    assert client.get(revision.get_absolute_url()).context["acknowledged"] is True

    client.force_login(secretary)
    response = client.get(revision.get_absolute_url())
    assert staff not in response.context["pending_readers"]
    assert staff in [a.user for a in response.context["acknowledgements"]]


def test_compare_page_shows_what_changed_between_two_revisions(client, secretary, approver):
    first = make_effective(ProcedureRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    client.force_login(secretary)
    client.post(reverse("processes:revision_start", args=[first.procedure.code]))
    draft = first.procedure.revisions.get(number=1)
    ProcedureRevision.objects.filter(pk=draft.pk).update(purpose="Mục đích đã sửa")
    response = client.get(reverse("processes:revision_compare", args=[first.procedure.code]), {"old": 0, "new": 1})
    purpose = response.context["sections"][0]
    assert ("+", "Mục đích đã sửa") in purpose.lines
    assert ("-", first.purpose) in purpose.lines
    assert "Mục đích đã sửa" in response.content.decode()


def test_a_stale_edit_in_the_editor_is_refused_and_the_other_save_kept(client, secretary, process_owner):
    revision = ProcedureRevisionFactory(author=process_owner)
    url = reverse("processes:revision_edit", args=[revision.procedure.code, revision.number])
    data = {
        "content-purpose": "", "content-scope": "", "content-references": "", "content-definitions": "",
        "content-content": "", "content-change_summary": "",
    }
    for prefix in ("forms", "steps", "edges", "records"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    client.force_login(secretary)
    opened_at = client.get(url).context["content_form"]["edit_version"].value()
    assert opened_at == 0
    assert client.post(url, {**data, "content-purpose": "Bản của thư ký", "content-edit_version": opened_at}).status_code == 302

    client.force_login(process_owner)  # opened the editor before the secretary saved
    client.cookies.load({"django_language": "en"})
    response = client.post(url, {**data, "content-purpose": "Bản của tác giả", "content-edit_version": opened_at})

    assert response.status_code == 200
    stale = [m for m in _messages(response) if m.startswith(
        f"Someone else changed the procedure revision “{revision.procedure.code} revision 0” at "
    )]
    assert len(stale) == 1
    assert "Bản của tác giả" in response.content.decode()  # what they typed is still on the page
    revision.refresh_from_db()
    assert (revision.purpose, revision.edit_version) == ("Bản của thư ký", 1)
