"""Pages of audits and nonconformities: flat query counts, permissions, the buttons each role sees,
refusals in the rule's own words, and the loop from a late case to a nonconformity."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from audits import services
from audits.models import (
    ActionEvidence,
    Audit,
    AuditProgramme,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateQuestion,
    CorrectiveAction,
    Finding,
    Nonconformity,
)
from cases import services as case_services
from iso.models import Role

from ..cases.conftest import at
from ..factories import OrgUnitFactory, UserFactory, signed_post
from .conftest import TODAY, clause

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _flat(client, url, add_more, django_assert_max_num_queries) -> int:
    """The page's query count with 10 rows holds with 500."""
    with_ten = _queries(client, url)
    add_more()
    with django_assert_max_num_queries(with_ten):
        assert client.get(url).status_code == 200
    return with_ten


def _say(client, url, data=None) -> list[str]:
    """Post as an English reader and follow the redirect: the messages the page then shows."""
    response = client.post(url, data or {}, follow=True, **EN)
    assert response.redirect_chain, response.status_code
    with override("en"):
        return [str(m) for m in response.context["messages"]]


# Rows written in bulk: the query counts need rows, not their history.


def _programmes(count, by, start=0):
    AuditProgramme.objects.bulk_create(
        AuditProgramme(year=1500 + n, title=f"Chương trình {n}", created_by=by) for n in range(start, start + count)
    )


def _audits(programme, count, units, lead, team, start=0):
    audits = Audit.objects.bulk_create(
        Audit(programme=programme, reference=f"B-{n:04d}", title=f"Đánh giá {n}", planned_start=TODAY, planned_end=TODAY,
              lead_auditor=lead)
        for n in range(start, start + count)
    )
    Audit.units.through.objects.bulk_create(
        Audit.units.through(audit_id=audit.pk, orgunit_id=unit.pk) for audit in audits for unit in units
    )
    Audit.team.through.objects.bulk_create(Audit.team.through(audit_id=audit.pk, user_id=team.pk) for audit in audits)
    Audit.clauses.through.objects.bulk_create(
        Audit.clauses.through(audit_id=audit.pk, clause_id=clause("7.5").pk) for audit in audits
    )


def _nonconformities(count, unit, by, owner, start=1000, **extra):
    """``count`` open nonconformities of ``unit``, one in three overdue."""
    return Nonconformity.objects.bulk_create(
        Nonconformity(
            reference=f"NC-{TODAY.year}-{n:04d}", year=TODAY.year, number=n, source=Nonconformity.Source.COMPLAINT,
            unit=unit, description=f"Phản ánh {n}", detected_by=by, owner=owner,
            due_date=TODAY + datetime.timedelta(days=(n % 3) * 10 - 5), **extra.get("fields", {}),
        )
        for n in range(start, start + count)
    )


def _findings(audit, count, unit, by, start=1):
    """``count`` findings: observations and minor nonconformities in turn, each with its checklist question."""
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(audit=audit, position=n + 1, clause=clause("8.5.1"), question=f"Câu hỏi {n}") for n in range(start, start + count)
    )
    findings = Finding.objects.bulk_create(
        Finding(audit=audit, number=n, kind=Finding.Kind.MINOR if n % 2 else Finding.Kind.OBSERVATION, clause=clause("8.5.1"),
                unit=unit, statement=f"Phát hiện {n}", evidence="Sổ", recorded_by=by, checklist_item=item)
        for n, item in zip(range(start, start + count), items, strict=True)
    )
    Nonconformity.objects.bulk_create(
        Nonconformity(reference=f"NC-{TODAY.year}-F{f.number:04d}", year=TODAY.year, number=5000 + f.number,
                      source=Nonconformity.Source.INTERNAL_AUDIT, unit=unit, description=f.statement, detected_by=by, finding=f)
        for f in findings if f.kind == Finding.Kind.MINOR
    )


def _actions(nonconformity, owner, count, start=1):
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(nonconformity=nonconformity, number=n, description=f"Hành động {n}", owner=owner,
                         due_date=TODAY + datetime.timedelta(days=(n % 2) * 20 - 10))
        for n in range(start, start + count)
    )


# Query counts


def test_the_programme_list_keeps_a_flat_query_count(client, secretary, django_assert_max_num_queries):
    client.force_login(secretary)
    _programmes(10, secretary)
    _flat(client, reverse("audits:programme_list"), lambda: _programmes(490, secretary, start=10), django_assert_max_num_queries)


def test_the_programme_page_keeps_a_flat_query_count(client, programme, secretary, justice, lead, django_assert_max_num_queries):
    client.force_login(secretary)
    other = OrgUnitFactory(code="KT", name="Phòng Kinh tế")
    _audits(programme, 10, [justice, other], lead, lead)
    url = reverse("audits:programme_detail", args=[programme.year])
    count = _flat(client, url, lambda: _audits(programme, 490, [justice, other], lead, lead, start=10),
                  django_assert_max_num_queries)
    assert count <= 30


def test_the_audit_page_keeps_a_flat_query_count(client, audit_in_progress, lead, justice, django_assert_max_num_queries):
    client.force_login(lead)
    _findings(audit_in_progress, 10, justice, lead)
    count = _flat(client, audit_in_progress.get_absolute_url(), lambda: _findings(audit_in_progress, 490, justice, lead, start=11),
                  django_assert_max_num_queries)
    assert count <= 30


@pytest.mark.parametrize("query", ["", "?overdue=on", "?mine=on&state=open&source=complaint"])
def test_the_nonconformity_list_keeps_a_flat_query_count(client, secretary, justice, owner, query, django_assert_max_num_queries):
    client.force_login(secretary)
    _nonconformities(10, justice, secretary, owner=secretary)
    url = reverse("audits:nonconformity_list") + query
    _flat(client, url, lambda: _nonconformities(490, justice, secretary, owner=secretary, start=2000), django_assert_max_num_queries)


def test_the_home_page_keeps_a_flat_query_count_with_the_items_in_ones_hands(
    client, secretary, justice, owner, django_assert_max_num_queries
):
    client.force_login(owner)
    ncs = _nonconformities(10, justice, secretary, owner=owner)
    _actions(ncs[0], owner, 10)

    def more():
        _nonconformities(490, justice, secretary, owner=owner, start=2000)
        _actions(ncs[0], owner, 490, start=11)

    _flat(client, reverse("home"), more, django_assert_max_num_queries)


def test_the_home_page_lists_ones_items_overdue_first(client, secretary, justice, owner):
    late, later = _nonconformities(2, justice, secretary, owner=owner, start=3)  # 3 % 3 = 0: overdue; 4: due in 5 days
    _actions(later, owner, 2)  # action 1 due in 10 days, action 2 overdue by 10
    client.force_login(owner)
    content = client.get(reverse("home"), **EN).content.decode()
    order = [content.index(text) for text in (late.reference, f"{later.reference}/2", later.reference + "<", f"{later.reference}/1")]
    assert order == sorted(order)
    assert "My nonconformities and actions" in content


# Permissions


@pytest.fixture
def nobody(unit):
    """A signed-in person with no role."""
    return UserFactory(username="nobody", unit=unit)


def test_pages_answer_403_to_a_user_without_the_permission(client, nonconformity, nobody, viewer):
    client.force_login(nobody)
    audit = nonconformity.finding.audit
    for url in [
        reverse("audits:programme_list"), reverse("audits:programme_detail", args=[audit.programme.year]),
        audit.get_absolute_url(), reverse("audits:nonconformity_list"), nonconformity.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 403, url
    client.force_login(viewer)
    for url in [reverse("audits:programme_create"), reverse("audits:audit_create", args=[audit.programme.year]),
                reverse("audits:nonconformity_create")]:
        assert client.get(url).status_code == 403, url
    # The audit and the nonconformity are of another unit than the viewer's: out of reach, not found.
    response = client.post(reverse("audits:audit_action", args=[audit.reference, "record_finding"]), {"kind": "minor"})
    assert response.status_code == 404
    response = client.post(reverse("audits:nonconformity_action", args=[nonconformity.reference, "plan_action"]), {})
    assert response.status_code == 404


def test_the_navigation_shows_audits_and_nonconformities_by_permission(client, viewer, nobody):
    client.force_login(viewer)
    labels = [item["label"] for item in client.get(reverse("home"), **EN).context["navigation"]]
    assert "Audits" in [str(label) for label in labels] and "Nonconformities" in [str(label) for label in labels]
    client.force_login(nobody)
    labels = [str(item["label"]) for item in client.get(reverse("home"), **EN).context["navigation"]]
    assert "Audits" not in labels and "Nonconformities" not in labels


# The buttons each role sees


def _buttons(client, url) -> list[str]:
    return [t.name for t in client.get(url).context["transitions"]]


def test_an_approver_sees_approve_on_a_draft_programme_with_audits_and_others_see_no_button(
    client, audit, approver, secretary, staff
):
    url = audit.programme.get_absolute_url()
    client.force_login(approver)
    response = client.get(url, **EN)
    assert [t.name for t in response.context["transitions"]] == ["approve"]
    assert ">Approve</button>" in response.content.decode()
    for user in (secretary, staff):
        client.force_login(user)
        assert _buttons(client, url) == [], user


def test_the_audit_buttons_follow_the_lead_auditor_and_the_secretary(client, audit, lead, secretary, staff, auditor):
    url = audit.get_absolute_url()
    client.force_login(lead)
    assert _buttons(client, url) == ["prepare"]
    client.force_login(secretary)
    assert sorted(_buttons(client, url)) == ["cancel", "prepare"]
    audit.team.add(auditor)
    client.force_login(auditor)  # on the team, but not the lead
    assert _buttons(client, url) == []
    client.force_login(staff)  # of another unit than the audited one: the audit is out of reach
    assert client.get(url).status_code == 404


def test_the_nonconformity_page_offers_the_analysis_to_its_unit_only(client, nonconformity, owner, staff, approver):
    client.force_login(owner)
    response = client.get(nonconformity.get_absolute_url(), **EN)
    assert response.context["analyse"].name == "analyse"
    assert "Record the analysis" in response.content.decode()
    client.force_login(approver)  # reads every nonconformity, but is not of the justice unit
    response = client.get(nonconformity.get_absolute_url())
    assert response.context["analyse"] is None and response.context["transitions"] == []
    client.force_login(staff)  # of the office, not of the justice unit: out of reach
    assert client.get(nonconformity.get_absolute_url()).status_code == 404


# Refusals in the rule's own words


def test_a_refused_programme_transition_shows_the_rules_message(client, programme, audit, secretary, approver):
    url = reverse("audits:programme_transition", args=[programme.year])
    client.force_login(secretary)
    assert _say(client, url, {"transition": "approve"}) == ["Only an approver may approve an audit programme."]
    programme.refresh_from_db()
    assert programme.state == AuditProgramme.State.DRAFT
    client.force_login(approver)
    assert _say(client, url, {"transition": "approve", **signed_post()}) == [f"{programme} is now approved."]


def test_approving_an_empty_programme_is_refused_with_the_reason(client, secretary, approver):
    empty = services.programme_create(year=TODAY.year + 1, title="Chương trình năm sau", by=secretary)
    client.force_login(approver)
    url = reverse("audits:programme_transition", args=[empty.year])
    assert _say(client, url, {"transition": "approve", **signed_post()}) == ["The programme plans no audit yet."]


def test_closing_an_audit_with_open_findings_lists_every_obstacle(client, audit_in_progress, lead, justice):
    services.finding_record(audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=clause("7.5"),
                            unit=justice, statement="Sổ ghi chép chưa thống nhất.", evidence="Sổ")
    client.force_login(lead)
    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "transition"])
    assert _say(client, url, {"transition": "report", "summary": "Hệ thống vận hành tốt.", **signed_post()}) == [
        "ĐG-01 Đánh giá Phòng Tư pháp is now reported."
    ]
    page = client.get(audit_in_progress.get_absolute_url(), **EN).content.decode()
    assert "Finding ĐG-01/01 is not dealt with." in page
    assert _say(client, url, {"transition": "close"}) == ["Finding ĐG-01/01 is not dealt with."]
    audit_in_progress.refresh_from_db()
    assert (audit_in_progress.state, audit_in_progress.summary) == (Audit.State.REPORTED, "Hệ thống vận hành tốt.")


def test_the_report_needs_its_summary(client, audit_in_progress, lead):
    client.force_login(lead)
    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "transition"])
    assert _say(client, url, {"transition": "report", "summary": ""}) == ["Summary of the report: This field is required."]
    audit_in_progress.refresh_from_db()
    assert audit_in_progress.state == Audit.State.IN_PROGRESS


def test_an_auditor_who_does_not_lead_the_audit_is_refused_its_transition(client, audit, auditor):
    audit.team.add(auditor)
    client.force_login(auditor)
    url = reverse("audits:audit_action", args=[audit.reference, "transition"])
    assert _say(client, url, {"transition": "prepare"}) == [
        "Only the lead auditor of ĐG-01 Đánh giá Phòng Tư pháp or the ISO secretary may do this."
    ]


def test_the_impartiality_refusal_is_shown_on_the_plan_form_naming_the_auditor_and_the_unit(
    client, programme, secretary, justice, justice_auditor
):
    client.force_login(secretary)
    response = client.post(
        reverse("audits:audit_create", args=[programme.year]),
        {"reference": "ĐG-02", "title": "Đánh giá Phòng Tư pháp", "units": [justice.pk], "clauses": [clause("8.5").pk],
         "planned_start": TODAY.isoformat(), "planned_end": TODAY.isoformat(), "lead_auditor": justice_auditor.pk},
        **EN,
    )
    assert response.status_code == 200
    expected = "Bùi Thị Tư Pháp belongs to Phòng Tư pháp, which this audit covers: an auditor does not audit their own unit."
    assert response.context["form"].errors["team"] == [expected]
    assert expected in response.content.decode()
    assert not Audit.objects.filter(reference="ĐG-02").exists()


def test_the_secretary_plans_an_impartial_audit_through_the_page(client, programme, secretary, justice, lead):
    client.force_login(secretary)
    response = client.post(
        reverse("audits:audit_create", args=[programme.year]),
        {"reference": "ĐG-03", "title": "Đánh giá Phòng Tư pháp", "units": [justice.pk], "clauses": [clause("9.2").pk],
         "planned_start": TODAY.isoformat(), "planned_end": TODAY.isoformat(), "lead_auditor": lead.pk},
    )
    audit = Audit.objects.get(reference="ĐG-03")
    assert response.status_code == 302 and response.url == audit.get_absolute_url()
    coverage = client.get(programme.get_absolute_url()).context["coverage"]
    assert justice in coverage.units_covered and clause("9.2") in coverage.clauses_covered


# The audit at work


def test_the_lead_auditor_fills_the_checklist_and_records_a_nonconformity_finding(client, audit_in_progress, lead, justice, owner):
    client.force_login(lead)
    item = audit_in_progress.checklist_items.get()
    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "record_item"])
    assert _say(client, url, {"item": item.pk, "result": "nonconformity", "evidence": "Sổ đăng ký, trang 12", "edit_version": 0}) == [
        "Checklist question 1 recorded."
    ]
    item.refresh_from_db()
    assert (item.result, item.evidence) == ("nonconformity", "Sổ đăng ký, trang 12")
    due = TODAY + datetime.timedelta(days=20)
    said = _say(
        client, reverse("audits:audit_action", args=[audit_in_progress.reference, "record_finding"]),
        {"kind": "minor", "clause": clause("7.5").pk, "unit": justice.pk, "checklist_item": item.pk,
         "statement": "Hồ sơ không ghi ngày trả.", "evidence": "Sổ đăng ký", "owner": owner.pk, "due_date": due.isoformat()},
    )
    finding = audit_in_progress.findings.get()
    nc = finding.nonconformity
    assert said == [f"Finding ĐG-01/01 recorded; nonconformity {nc.reference} opened."]
    assert (nc.owner, nc.due_date, finding.checklist_item) == (owner, due, item)
    page = client.get(audit_in_progress.get_absolute_url()).content.decode()
    assert nc.get_absolute_url() in page


def test_questions_are_added_from_a_template(client, audit, lead):
    template = ChecklistTemplate.objects.create(title="Kiểm soát thông tin dạng văn bản", clause=clause("7.5"))
    ChecklistTemplateQuestion.objects.bulk_create(
        ChecklistTemplateQuestion(template=template, position=n, question=f"Câu hỏi {n}") for n in range(3)
    )
    client.force_login(lead)
    url = reverse("audits:audit_action", args=[audit.reference, "add_questions"])
    assert _say(client, url, {"template": template.pk}) == ["3 questions added from 7.5 Kiểm soát thông tin dạng văn bản."]
    assert audit.checklist_items.count() == 3


def test_a_finding_outside_the_audits_units_is_refused(client, audit_in_progress, lead):
    client.force_login(lead)
    other = OrgUnitFactory(code="KT", name="Phòng Kinh tế")
    said = _say(
        client, reverse("audits:audit_action", args=[audit_in_progress.reference, "record_finding"]),
        {"kind": "observation", "clause": clause("7.5").pk, "unit": other.pk, "statement": "x", "evidence": "y"},
    )
    assert said == ["Unit: Select a valid choice. That choice is not one of the available choices."]
    assert not audit_in_progress.findings.exists()


def test_an_observation_gets_its_response_through_the_page(client, audit_in_progress, lead, justice):
    finding = services.finding_record(audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=clause("7.5"),
                                      unit=justice, statement="Sổ ghi chép chưa thống nhất.", evidence="Sổ")
    client.force_login(lead)
    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "respond"])
    assert _say(client, url, {"finding": finding.pk, "response": "Phòng thống nhất mẫu sổ.", "edit_version": 0}) == [
        "Response to ĐG-01/01 recorded."
    ]
    finding.refresh_from_db()
    assert finding.response == "Phòng thống nhất mẫu sổ." and finding.is_dealt_with


# Nonconformities


def test_the_list_filters_and_puts_overdue_first_with_the_age(client, secretary, justice, owner):
    ncs = _nonconformities(3, justice, secretary, owner=owner, start=4)  # 4: due in 5 days, 5: in 15 days, 6: 5 days overdue
    Nonconformity.objects.filter(pk=ncs[2].pk).update(detected_on=TODAY - datetime.timedelta(days=40))
    client.force_login(secretary)
    response = client.get(reverse("audits:nonconformity_list"), **EN)
    rows = response.context["rows"]
    assert [(nc.reference, age) for nc, age in rows] == [(ncs[2].reference, 40), (ncs[0].reference, 0), (ncs[1].reference, 0)]
    assert "Overdue" in response.content.decode()
    response = client.get(reverse("audits:nonconformity_list"), {"overdue": "on"})
    assert [nc for nc, _age in response.context["rows"]] == [ncs[2]]
    response = client.get(reverse("audits:nonconformity_list"), {"q": ncs[1].description})
    assert [nc for nc, _age in response.context["rows"]] == [ncs[1]]


def test_a_nonconformity_is_raised_outside_audits(client, staff, justice):
    client.force_login(staff)
    response = client.post(
        reverse("audits:nonconformity_create"),
        {"source": "complaint", "severity": "minor", "unit": justice.pk, "description": "Công dân phản ánh trả kết quả chậm."},
    )
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response.url == nc.get_absolute_url()
    assert (nc.source, nc.unit, nc.detected_by, nc.detected_on) == ("complaint", justice, staff, TODAY)


def test_the_owner_analyses_with_five_whys_and_plans_an_action(client, nonconformity, owner):
    client.force_login(owner)

    def url(action):
        return reverse("audits:nonconformity_action", args=[nonconformity.reference, action])

    said = _say(
        client, url("analyse"),
        {"correction": "Bổ sung ngày trả kết quả", "why_1": "Thiếu ngày", "why_2": "Mẫu sổ cũ", "why_3": "",
         "why_4": "Chưa cập nhật mẫu mới", "why_5": "", "root_cause": "", "extent": "Kiểm tra các xã", "edit_version": 0},
    )
    nonconformity.refresh_from_db()
    assert said == [f"{nonconformity.reference} is now analysed."]
    assert nonconformity.whys == ["Thiếu ngày", "Mẫu sổ cũ", "Chưa cập nhật mẫu mới"]
    assert nonconformity.root_cause == "Chưa cập nhật mẫu mới"
    due = TODAY + datetime.timedelta(days=10)
    plan = {"description": "Cập nhật mẫu sổ", "owner": owner.pk, "due_date": due.isoformat(), "edit_version": nonconformity.edit_version}
    assert _say(client, url("plan_action"), plan) == [
        f"Corrective action {nonconformity.reference}/1 planned."
    ]
    assert list(nonconformity.actions.values_list("description", "owner", "due_date")) == [("Cập nhật mẫu sổ", owner.pk, due)]
    assert _say(client, url("transition"), {"transition": "plan"}) == [f"{nonconformity.reference} is now action planned."]


def test_an_analysis_without_a_root_cause_is_refused_with_the_rules_message(client, nonconformity, owner):
    client.force_login(owner)
    url = reverse("audits:nonconformity_action", args=[nonconformity.reference, "analyse"])
    assert _say(client, url, {"correction": "Sửa ngay", "edit_version": 0}) == [
        "Record the correction and the root cause (five whys or text) first."
    ]


def test_the_action_loop_runs_through_the_page_with_evidence(client, nonconformity, owner, secretary, lead):
    nc = services.nonconformity_analyse(nonconformity=nonconformity, by=owner, correction="Sửa", whys=["Mẫu cũ"])
    action = services.corrective_action_plan(nonconformity=nc, by=owner, description="Cập nhật mẫu sổ", owner=owner,
                                             due_date=TODAY + datetime.timedelta(days=10))
    nc = services.nonconformity_transition(nonconformity=nc, name="plan", by=owner)
    client.force_login(lead)  # the lead auditor of the audit accepts the plan
    assert _buttons(client, nc.get_absolute_url()) == ["accept_plan"]
    url = reverse("audits:nonconformity_action", args=[nc.reference, "transition"])
    assert _say(client, url, {"transition": "accept_plan", **signed_post()}) == [f"{nc.reference} is now in action."]
    client.force_login(owner)
    page = client.get(nc.get_absolute_url())
    assert [[t.name for t in transitions] for _a, transitions, _signatures in page.context["actions"]] == [["start"]]
    act = reverse("audits:nonconformity_action", args=[nc.reference, "action"])
    assert _say(client, act, {"action": action.pk, "transition": "start"}) == [f"{action} is now in progress."]
    said = _say(
        client, reverse("audits:nonconformity_action", args=[nc.reference, "evidence"]),
        {"action": action.pk, "file": SimpleUploadedFile("so-moi.pdf", b"%PDF-1.4"), "description": "Mẫu sổ mới"},
    )
    assert said == [f"Evidence attached to {nc.reference}/1."]
    evidence = ActionEvidence.objects.get()
    assert (evidence.action_id, evidence.uploaded_by, evidence.description) == (action.pk, owner, "Mẫu sổ mới")
    assert "so-moi" in client.get(nc.get_absolute_url()).content.decode()
    assert _say(client, act, {"action": action.pk, "transition": "finish", "note": ""}) == ["Say what was done."]
    assert _say(client, act, {"action": action.pk, "transition": "finish", "note": "Đã in mẫu sổ mới"}) == [f"{action} is now done."]
    assert _say(client, act, {"action": action.pk, "transition": "verify_effective", "note": "Tốt"}) == [
        "Only an internal auditor or the ISO secretary may verify an action."
    ]
    client.force_login(lead)
    [message] = _say(client, act, {"action": action.pk, "transition": "verify_effective", "note": "Tốt", **signed_post("verified")})
    assert message.startswith("Effectiveness can be verified from ")


def test_evidence_is_refused_to_someone_else_than_the_owner(client, nonconformity, owner, staff):
    nc = services.nonconformity_analyse(nonconformity=nonconformity, by=owner, correction="Sửa", whys=["Mẫu cũ"])
    action = services.corrective_action_plan(nonconformity=nc, by=owner, description="Cập nhật", owner=owner,
                                             due_date=TODAY + datetime.timedelta(days=10))
    client.force_login(UserFactory(roles=[Role.STAFF], unit=owner.unit))  # of the unit, not the action's owner
    said = _say(client, reverse("audits:nonconformity_action", args=[nc.reference, "evidence"]),
                {"action": action.pk, "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")})
    assert said == ["Only the owner of the action (Phan Thị Sở Hữu) or the ISO secretary may do this."]
    assert not ActionEvidence.objects.exists()


def test_a_nonconformity_is_assigned_through_the_page(client, secretary, justice, owner):
    nc = services.nonconformity_raise(by=secretary, source="complaint", unit=justice, description="Chậm trả kết quả")
    client.force_login(secretary)
    due = TODAY + datetime.timedelta(days=15)
    url = reverse("audits:nonconformity_action", args=[nc.reference, "assign"])
    assert _say(client, url, {"owner": owner.pk, "due_date": due.isoformat(), "edit_version": 0}) == [
        f"{nc.reference} is in the hands of Phan Thị Sở Hữu, due {due:%d/%m/%Y}."
    ]
    nc.refresh_from_db()
    assert (nc.owner, nc.due_date) == (owner, due)


# Two people on the same record: the page opened first cannot overwrite the save made since


def _stale(said: list[str], kind: str, record, who) -> bool:
    return len(said) == 1 and said[0].startswith(f"{kind} “{record}” was changed by {who.get_full_name()} at ")


def test_a_checklist_answer_saved_on_an_older_page_is_refused_and_the_other_kept(client, audit_in_progress, lead, unit):
    other = UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=unit)
    item = audit_in_progress.checklist_items.get()
    opened = {"item": item.pk, "edit_version": client_page_version(client, lead, audit_in_progress, "checklist", item)}
    services.checklist_record(item=item, by=other, result="conforms", evidence="Đủ", edit_version=item.edit_version)

    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "record_item"])
    said = _say(client, url, {**opened, "result": "observation", "evidence": "Thiếu"})

    item.refresh_from_db()
    assert _stale(said, "Checklist item", item, other), said
    assert (item.result, item.evidence, item.edit_version) == ("conforms", "Đủ", 1)


def client_page_version(client, user, audit, part, obj) -> int:
    """The version the audit page shows in the hidden field of ``obj``'s form, as a browser would post it."""
    client.force_login(user)
    page = client.get(audit.get_absolute_url()).content.decode()
    name = "item" if part == "checklist" else "finding"
    marker = f'name="{name}" value="{obj.pk}"><input type="hidden" name="edit_version" value="'
    assert marker in page, f"no edit_version beside {name} {obj.pk}"
    return int(page.split(marker, 1)[1].split('"', 1)[0])


def test_a_response_saved_on_an_older_page_is_refused_and_the_other_kept(client, audit_in_progress, lead, justice, unit):
    other = UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=unit)
    finding = services.finding_record(audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=clause("7.5"),
                                      unit=justice, statement="Sổ chưa thống nhất.", evidence="Sổ")
    opened = client_page_version(client, lead, audit_in_progress, "findings", finding)
    services.finding_respond(finding=finding, by=other, response="Giữ mẫu cũ", edit_version=opened)

    url = reverse("audits:audit_action", args=[audit_in_progress.reference, "respond"])
    said = _say(client, url, {"finding": finding.pk, "response": "Thống nhất mẫu", "edit_version": opened})

    finding.refresh_from_db()
    with override("en"):
        assert _stale(said, "Finding", finding, other), said
    assert finding.response == "Giữ mẫu cũ"


def _nonconformity_forms(client, user, nonconformity) -> dict:
    client.force_login(user)
    context = client.get(nonconformity.get_absolute_url()).context
    return {name: context[name] for name in ("analysis_form", "assign_form", "plan_form")}


def test_an_analysis_posted_from_an_older_page_is_refused_and_the_other_kept(client, nonconformity, owner, secretary):
    forms = _nonconformity_forms(client, owner, nonconformity)
    opened = forms["analysis_form"]["edit_version"].value()
    services.nonconformity_assign(
        nonconformity=nonconformity, by=secretary, owner=owner, due_date=TODAY, edit_version=opened
    )

    url = reverse("audits:nonconformity_action", args=[nonconformity.reference, "analyse"])
    said = _say(client, url, {"correction": "Sửa ngay", "root_cause": "Thiếu mẫu", "edit_version": opened})

    nonconformity.refresh_from_db()
    assert _stale(said, "Nonconformity", nonconformity, secretary), said
    assert (nonconformity.state, nonconformity.correction, nonconformity.due_date) == ("open", "", TODAY)


def test_an_assignment_posted_from_an_older_page_is_refused_and_the_other_kept(client, nonconformity, owner, secretary, lead):
    opened = _nonconformity_forms(client, secretary, nonconformity)["assign_form"]["edit_version"].value()
    services.nonconformity_assign(
        nonconformity=nonconformity, by=lead, owner=lead, due_date=TODAY, edit_version=opened
    )

    url = reverse("audits:nonconformity_action", args=[nonconformity.reference, "assign"])
    said = _say(client, url, {"owner": owner.pk, "due_date": TODAY.isoformat(), "edit_version": opened})

    nonconformity.refresh_from_db()
    assert _stale(said, "Nonconformity", nonconformity, lead), said
    assert nonconformity.owner == lead


def test_an_action_planned_from_an_older_page_is_refused_and_the_other_kept(client, nonconformity, owner, secretary):
    nonconformity = services.nonconformity_analyse(nonconformity=nonconformity, by=owner, correction="Sửa", whys=["Mẫu cũ"])
    opened = _nonconformity_forms(client, owner, nonconformity)["plan_form"]["edit_version"].value()
    due = TODAY + datetime.timedelta(days=10)
    services.corrective_action_plan(
        nonconformity=nonconformity, by=secretary, description="Cập nhật mẫu sổ", owner=owner, due_date=due,
        edit_version=opened,
    )

    url = reverse("audits:nonconformity_action", args=[nonconformity.reference, "plan_action"])
    said = _say(client, url, {"description": "Cập nhật mẫu", "owner": owner.pk, "due_date": due.isoformat(), "edit_version": opened})

    nonconformity.refresh_from_db()
    assert _stale(said, "Nonconformity", nonconformity, secretary), said
    assert list(nonconformity.actions.values_list("description", flat=True)) == ["Cập nhật mẫu sổ"]


def test_the_edit_forms_of_a_nonconformity_carry_its_version_hidden(client, nonconformity, owner):
    client.force_login(owner)
    html = client.get(nonconformity.get_absolute_url()).content.decode()
    # The analysis and the owner and due date (the plan form comes once it is analysed): each posts
    # the version it was shown, hidden, with no label of its own.
    assert html.count('<input type="hidden" name="edit_version" value="0"') == 2
    assert 'for="id_edit_version"' not in html


# From a late case


def test_a_late_case_becomes_a_nonconformity_through_its_page(client, birth, clerk):
    case = case_services.case_receive(procedure=birth, by=clerk, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    assert case.is_overdue
    client.force_login(clerk)
    page = client.get(case.get_absolute_url(), **EN).content.decode()
    action = reverse("audits:nonconformity_from_case", args=[case.reference])
    assert action in page and "Raise a nonconformity" in page
    response = client.post(action, **EN)
    nc = Nonconformity.objects.get(case=case)
    assert response.status_code == 302 and response.url == nc.get_absolute_url()
    assert (nc.source, nc.unit, nc.detected_by) == (Nonconformity.Source.PROCESS_MONITORING, case.unit, clerk)
    page = client.get(nc.get_absolute_url(), **EN).content.decode()
    assert f"Nonconformity {nc.reference} raised for case {case.reference}." in page
    assert case.get_absolute_url() in page
    page = client.get(case.get_absolute_url()).content.decode()
    assert nc.get_absolute_url() in page and action not in page
    assert _say(client, action) == [f"{case} already has nonconformity {nc.reference}."]


def test_a_case_on_time_offers_no_nonconformity_and_a_viewer_cannot_raise_one(client, birth, clerk, viewer):
    case = case_services.case_receive(procedure=birth, by=clerk, applicant_name="An", received_at=timezone.now())
    client.force_login(clerk)
    action = reverse("audits:nonconformity_from_case", args=[case.reference])
    assert action not in client.get(case.get_absolute_url()).content.decode()
    assert _say(client, action) == [f"{case} is not late."]
    client.force_login(viewer)
    assert client.post(action).status_code == 403
    assert not Nonconformity.objects.exists()


def test_every_role_reads_the_audit_pages_within_its_reach(
    client, nonconformity, secretary, approver, process_owner, staff, auditor, viewer, lead, owner
):
    audit = nonconformity.finding.audit
    shared = [reverse("audits:programme_list"), audit.programme.get_absolute_url(), reverse("audits:nonconformity_list"), reverse("home")]
    private = [audit.get_absolute_url(), nonconformity.get_absolute_url()]
    # The secretary, the approver, the lead auditor and the audited unit reach the audit and its nonconformity.
    for user in (secretary, approver, lead, owner):
        client.force_login(user)
        for url in shared + private:
            assert client.get(url).status_code == 200, (user, url)
    # The office's people, not on the audit and not audited, read the programme and find nothing else.
    for user in (process_owner, staff, auditor, viewer):
        client.force_login(user)
        for url in shared:
            assert client.get(url).status_code == 200, (user, url)
        for url in private:
            assert client.get(url).status_code == 404, (user, url)
    assert Role.VIEWER in viewer.roles
