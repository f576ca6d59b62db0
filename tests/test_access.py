"""Least privilege (iso/access.py): a user of one unit gets nothing of another unit from any URL.

The URLs are not hand-picked: every pattern of the URL conf is walked, each of its arguments is
filled from an object of the other unit (one object of every kind is built there), and every one is
requested with GET and with POST. The test fails when a pattern that takes an argument has no
object to fill it with, so a new page cannot slip past it.
"""

import datetime
import io
import re
import unicodedata

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from pypdf import PdfReader

from audits import services as audit_services
from audits.models import ActionEvidence, ChecklistItem, Finding
from audits.views import AUDIT_ACTIONS, AUDIT_PRINTOUTS, NONCONFORMITY_ACTIONS
from cases import services as case_services
from cases.views import CASE_ACTIONS
from iso.models import Clause, Job, Role
from iso.workflows import transition_apply
from processes import services as process_services
from processes.models import FormTemplate
from qms import services as qms_services
from records import services as record_services
from records.models import RecordType
from reviews import services as review_services
from reviews.views import REVIEW_ACTIONS
from risks import services as risk_services
from risks.views import RISK_ACTIONS
from satisfaction import services as satisfaction_services
from satisfaction.models import Criterion

from .cases.conftest import build_birth_registration
from .factories import (
    ContextIssueFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PolicyRevisionFactory,
    ProcedureFactory,
    ProcedureRevisionFactory,
    ScopeRevisionFactory,
    UserFactory,
    make_effective,
    signed,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
#: The apps whose data a refused request must leave untouched.
DATA_APPS = ("iso", "processes", "cases", "audits", "records", "satisfaction", "objectives", "qms", "reviews", "risks", "auth")


def clause(number: str) -> Clause:
    return Clause.objects.get(number=number)


# One object of every kind in a unit


class World:
    """Everything one unit owns, each text carrying the unit's marker so that a page showing it is caught."""

    def __init__(self, *, code, unit, secretary, approver, lead, programme):
        self.code, self.unit, self.marker = code, unit, f"SECRET-{code}-"
        self.staff = UserFactory(username=f"staff{code}", roles=[Role.STAFF], unit=unit)
        self.owner = UserFactory(username=f"owner{code}", roles=[Role.PROCESS_OWNER], unit=unit)
        self.viewer = UserFactory(username=f"viewer{code}", roles=[Role.VIEWER], unit=unit)
        self.auditor = UserFactory(username=f"auditor{code}", roles=[Role.INTERNAL_AUDITOR], unit=unit)

        self.procedure = ProcedureFactory(code=f"QT-{code}", title=f"Quy trình {code}", owner_unit=unit)
        effective = ProcedureRevisionFactory(procedure=self.procedure, author=secretary)
        steps = build_birth_registration(effective, unit)
        self.effective = make_effective(effective, approver=approver, publisher=secretary)
        self.draft = process_services.revision_start(procedure=self.procedure, by=self.owner)
        self.draft.content = f"{self.marker}DRAFT"
        self.draft.save()
        self.form = FormTemplate.objects.create(
            revision=self.draft, code=f"BM-{code}", title=f"Mẫu {code}",
            template_file=ContentFile(f"%PDF-1.4 {self.marker}FORM".encode(), name="mau.pdf"),
        )

        now = timezone.now()
        self.case = case_services.case_receive(
            procedure=self.procedure, by=self.staff, applicant_name=f"{self.marker}CASE",
            received_at=now - datetime.timedelta(days=10),
        )
        case_services.case_apologise(
            case=self.case, by=self.staff, reason="Quá tải", new_due_at=now + datetime.timedelta(days=5)
        )
        # A case whose result went back, with the applicant's complaint (no nonconformity yet).
        self.completed = case_services.case_receive(
            procedure=self.procedure, by=self.staff, applicant_name=f"{self.marker}APPLICANT",
            received_at=now - datetime.timedelta(hours=3),
        )
        for step in ("XL", "KQ"):
            self.completed = case_services.case_move(case=self.completed, to_step=steps[step], by=self.staff)
        self.feedback = satisfaction_services.feedback_enter(
            case=self.completed, by=self.staff, scores={Criterion.objects.get(code="contacts").pk: 1},
            comment=f"{self.marker}FEEDBACK", is_complaint=True,
        )

        self.audit = audit_services.audit_plan(
            programme=programme, by=secretary, reference=f"ĐG-{code}", title=f"Đánh giá {code}", units=[unit],
            planned_start=TODAY, planned_end=TODAY, lead_auditor=lead, clauses=[clause("8.5")],
        )
        ChecklistItem.objects.create(audit=self.audit, position=1, question="Hồ sơ có đủ không?", clause=clause("7.5"))
        self.audit = transition_apply(transition_apply(self.audit, "prepare", by=lead), "start", by=lead)
        finding = audit_services.finding_record(
            audit=self.audit, by=lead, kind=Finding.Kind.MINOR, clause=clause("8.5.1"), unit=unit,
            statement=f"{self.marker}FINDING", evidence="Sổ đăng ký", owner=self.staff,
            due_date=TODAY + datetime.timedelta(days=30),
        )
        self.nonconformity = audit_services.nonconformity_analyse(
            nonconformity=finding.nonconformity, by=self.staff, correction="Bổ sung ngày", root_cause="Thiếu mẫu"
        )
        self.action = audit_services.corrective_action_plan(
            nonconformity=self.nonconformity, by=self.staff, description=f"{self.marker}ACTION", owner=self.staff,
            due_date=TODAY + datetime.timedelta(days=20),
        )
        self.evidence = ActionEvidence.objects.create(
            action=self.action, uploaded_by=self.staff,
            file=ContentFile(f"%PDF-1.4 {self.marker}EVIDENCE".encode(), name="minh-chung.pdf"),
        )

        self.record_type = RecordType.objects.create(
            code=f"HS-{code}", name=f"Sổ {code}", procedure=self.procedure, retention_years=1
        )
        self.kept = record_services.kept_record_store(
            record_type=self.record_type, title=f"{self.marker}RECORD", content=f"%PDF-1.4 {self.marker}".encode(),
            filename="so.pdf", record_date=TODAY, by=self.staff,
        )
        old = record_services.kept_record_store(
            record_type=self.record_type, title=f"{self.marker}OLD", content=b"%PDF-1.4 old", filename="cu.pdf",
            record_date=datetime.date(2010, 3, 15), by=secretary,
        )
        old = record_services.kept_record_transition(record=old, name="archive", by=secretary)
        old = record_services.kept_record_transition(record=old, name="mark_due", by=secretary)
        self.minute = record_services.disposal_approve(
            records=[old], by=approver, method="Cắt hủy", notes=f"{self.marker}MINUTE", signature=signed()
        )
        # A review in preparation carries the marker; approved minutes are read by everyone, so the
        # other one carries none (and what it gathered is the organisation's, never a unit's text).
        meeting = {"period_start": TODAY.replace(month=1, day=1), "period_end": TODAY, "place": "Phòng họp",
                   "meeting_at": now - datetime.timedelta(hours=1), "chair": approver, "secretary": secretary}
        self.review = review_services.review_plan(by=secretary, title=f"{self.marker}REVIEW", **meeting)
        review_services.agenda_item_add(review=self.review, by=secretary, title=f"{self.marker}AGENDA")
        minutes = review_services.review_hold(
            review=review_services.review_plan(by=secretary, title=f"Họp xem xét {code}", **meeting), by=secretary
        )
        review_services.review_action_plan(review=minutes, by=secretary, description="Cải tiến", owner=self.staff, due_date=TODAY)
        review_services.review_update(review=minutes, by=secretary, conclusion="Duy trì")
        self.minutes_approved = review_services.review_approve_minutes(review=minutes, by=approver, signature=signed())
        self.risk = risk_services.risk_identify(
            by=self.owner, owner=self.owner, kind="risk", title=f"{self.marker}RISK", source="process", unit=unit,
            review_date=TODAY + datetime.timedelta(days=30), likelihood=3, impact=4,
        )
        self.risk_action = risk_services.risk_action_plan(
            risk=self.risk, by=self.owner, description=f"{self.marker}RISKACTION", owner=self.staff,
            due_date=TODAY + datetime.timedelta(days=15),
        )
        self.job = Job.objects.create(
            kind=Job.Kind.CASE_EXPORT, requested_by=self.staff, parameters={"format": "csv"},
            progress_message=f"{self.marker}JOB", state=Job.State.DONE, finished_at=now, result_name="ho-so.csv",
        )
        # Missed last year, so that raising its nonconformity is a live button.
        self.objective = ObjectiveFactory(
            year=TODAY.year - 1, unit=unit, owner=self.staff, name=f"{self.marker}OBJECTIVE", target=4, unit_of_measure="lớp"
        )
        # A finished job with its file: a download that skipped the check would hand it over.
        self.job.result.save("ho-so.csv", ContentFile(f"{self.marker}JOB-FILE".encode()))

    def fills(self) -> dict[str, list[tuple[dict, bool]]]:
        """For each URL name, the arguments to request it with, and whether that object is one the
        whole organisation may read (a published procedure, the audit programme, a record type)."""
        procedure = {"code": self.procedure.code}
        private, published = {**procedure, "number": self.draft.number}, {**procedure, "number": self.effective.number}
        revision = [(private, False), (published, True)]
        case = {"reference": self.case.reference}
        nc = {"reference": self.nonconformity.reference}
        audit = {"reference": self.audit.reference}
        year = [({"year": self.audit.programme.year}, True)]
        reviews = [({"reference": self.review.reference}, False), ({"reference": self.minutes_approved.reference}, True)]
        report_year = [({"year": TODAY.year}, False)]
        return {
            "processes:procedure_detail": [(procedure, True)],
            "processes:revision_start": [(procedure, True)],
            "processes:revision_compare": [(procedure, True)],
            **{f"processes:{name}": revision for name in (
                "revision_detail", "revision_edit", "revision_print", "revision_transition", "revision_acknowledge"
            )},
            "cases:case_detail": [(case, False)],
            "cases:case_receipt_print": [(case, False)],
            **{f"satisfaction:{name}": [({"reference": self.completed.reference}, False)] for name in (
                "feedback_detail", "feedback_enter", "feedback_complaint", "feedback_nonconformity"
            )},
            "cases:case_control_sheet_print": [(case, False)],
            "cases:case_apology_print": [(case, False)],
            "cases:case_action": [({**case, "action": action}, False) for action in CASE_ACTIONS],
            "audits:nonconformity_from_case": [(case, False)],
            "audits:nonconformity_detail": [(nc, False)],
            "audits:nonconformity_print": [(nc, False)],
            "audits:nonconformity_action": [({**nc, "action": action}, False) for action in NONCONFORMITY_ACTIONS],
            "audits:audit_detail": [(audit, False)],
            "audits:audit_action": [({**audit, "action": action}, False) for action in AUDIT_ACTIONS],
            "audits:audit_print": [({**audit, "document": document}, False) for document in AUDIT_PRINTOUTS],
            "audits:programme_detail": year,
            "audits:programme_print": year,
            "audits:programme_transition": year,
            "audits:audit_create": year,
            "records:kept_record_transition": [({"pk": self.kept.pk}, False)],
            "records:kept_record_file": [({"pk": self.kept.pk}, False)],
            "records:record_type_edit": [({"pk": self.record_type.pk}, True)],
            "records:minute_detail": [({"number": self.minute.number}, False)],
            **{name: [({"pk": self.job.pk}, False)] for name in ("job_detail", "job_status", "job_download")},
            "processes:form_template_file": [({**private, "form_code": self.form.code}, False)],
            "audits:evidence_file": [({**nc, "pk": self.evidence.pk}, False)],
            "records:minute_print": [({"number": self.minute.number}, False)],
            **{f"objectives:{name}": [({"reference": self.objective.reference}, False)] for name in (
                "objective_detail", "objective_edit", "objective_value_record", "objective_raise_nonconformity"
            )},
            **{f"qms:{kind}_revision_{page}": [({"number": self.qms[f"{kind}_draft"].number}, False),
                                               ({"number": self.qms[f"{kind}_effective"].number}, True)]
               for kind in ("scope", "policy") for page in ("detail", "edit", "print", "transition")},
            # Everyone may acknowledge the policy in force (a change, checked in tests/qms); not a draft.
            "qms:policy_acknowledge": [({"number": self.qms["policy_draft"].number}, False)],
            **{f"reviews:{name}": reviews for name in ("review_detail", "review_edit", "review_print")},
            "reviews:review_action": [({**kwargs, "action": action}, public) for kwargs, public in reviews for action in REVIEW_ACTIONS],
            **{f"reviews:{name}": report_year for name in ("report_detail", "report_print", "report_xlsx")},
            "risks:risk_detail": [({"reference": self.risk.reference}, False)],
            "risks:risk_action": [({"reference": self.risk.reference, "action": action}, False) for action in RISK_ACTIONS],
        }

    def admin_objects(self) -> dict:
        """A primary key of this unit for each model the admin shows."""
        objects = [
            self.unit, self.staff, self.procedure, self.effective, self.case, self.audit, self.nonconformity,
            self.action, self.record_type, self.kept, self.minute, self.case.apology, self.feedback,
            self.case.supplement_requests.first(), self.objective,
        ]
        return {type(obj): obj.pk for obj in objects if obj is not None}


#: URL arguments that name no object: the format of an export (its content is checked below).
#: The case export queues a job over the requester's own cases (checked below too).
NOT_OBJECTS = {
    "cases:dashboard_export": {"fmt": "csv"}, "cases:case_export": {"fmt": "csv"}, "objectives:objective_export": {"fmt": "csv"},
    "risks:risk_export": {"fmt": "csv"},
}


@pytest.fixture
def worlds(unit, secretary, approver):
    """Unit A and unit B side by side, each with one object of every kind, audited by an auditor
    of the office (``unit``)."""
    lead = UserFactory(username="lead", roles=[Role.INTERNAL_AUDITOR], unit=unit)
    programme = audit_services.programme_create(year=TODAY.year, title="Chương trình", by=secretary)
    people = {"secretary": secretary, "approver": approver, "lead": lead, "programme": programme}
    a = World(code="A", unit=OrgUnitFactory(code="PA", name="Phòng An"), **people)
    b = World(code="B", unit=OrgUnitFactory(code="PB", name="Phòng Bình"), **people)
    # The scope and the policy are the organisation's, one of each: both worlds share them, their
    # drafts carrying B's marker.
    a.qms = b.qms = qms_documents(secretary=secretary, approver=approver, unit=b.unit, marker=b.marker)
    return a, b


def qms_documents(*, secretary, approver, unit, marker) -> dict:
    """An effective scope and policy (readable by all) and a draft of each (the secretary's)."""
    documents = {}
    for kind, factory in (("scope", ScopeRevisionFactory), ("policy", PolicyRevisionFactory)):
        effective = make_effective(factory(author=secretary), approver=approver, publisher=secretary)
        draft = qms_services.qms_revision_start(document=effective.document, by=secretary)
        type(draft).objects.filter(pk=draft.pk).update(change_summary=f"{marker}QMS-DRAFT")
        documents.update({f"{kind}_effective": effective, f"{kind}_draft": draft})
    ContextIssueFactory(revision=documents["scope_draft"], description=f"{marker}ISSUE")
    return documents


# Walking the URL conf


def _walk(patterns, prefix=(), namespace=None):
    """Every URL pattern as (name with namespaces, chain of patterns from the root)."""
    for entry in patterns:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace if entry.namespace else None
            ns = ":".join(part for part in (namespace, inner) if part) or None
            yield from _walk(entry.url_patterns, chain, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, chain


def _arguments(chain) -> list[str]:
    names = []
    for pattern in chain:
        if isinstance(pattern, RoutePattern):
            names.extend(pattern.converters)
        else:
            names.extend(pattern.regex.groupindex)
    return names


def _route_url(chain, kwargs) -> str | None:
    """The address of an unnamed pattern built from its route; None if part of it is a regex."""
    if not all(isinstance(pattern, RoutePattern) for pattern in chain):
        return None
    route = "".join(str(pattern) for pattern in chain)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)


def _admin_kwargs(name, arguments, world: "World") -> dict:
    objects = world.admin_objects()
    kwargs = {}
    for argument in arguments:
        if argument == "object_id":
            model = next(
                (m for m in objects if name and name.startswith(f"admin:{m._meta.app_label}_{m._meta.model_name}_")), None
            )
            kwargs[argument] = objects.get(model, 1)
        elif argument == "id":
            kwargs[argument] = world.staff.pk
        elif argument == "app_label":
            kwargs[argument] = "cases"
        elif argument == "content_type_id":
            kwargs[argument] = ContentType.objects.get_for_model(type(world.case)).pk
    return kwargs


def object_urls(world: World):
    """(url name, address, organisation-wide?) for every pattern that takes an argument, filled from
    ``world``; and the names of those it could not fill."""
    fills = world.fills()
    requests, unfilled = [], []
    for name, chain in _walk(get_resolver().url_patterns):
        arguments = _arguments(chain)
        if not arguments or name in NOT_OBJECTS:
            continue
        is_admin = str(chain[0]).startswith("admin/")
        if is_admin:
            variants = [(_admin_kwargs(name, arguments, world), False)]
            if set(variants[0][0]) != set(arguments):
                if name is None and arguments == ["url"]:
                    continue  # the admin's catch-all, answered like any other admin page
                unfilled.append(name or "".join(map(str, chain)))
                continue
        elif name not in fills:
            unfilled.append(name or "".join(map(str, chain)))
            continue
        else:
            variants = fills[name]
        for kwargs, public in variants:
            url = reverse(name, kwargs=kwargs) if name else _route_url(chain, kwargs)
            if url is None:
                unfilled.append(name or "".join(map(str, chain)))
                continue
            requests.append((name, url, public))
    return requests, unfilled


# Reading what came back


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("latin-1")
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(unicodedata.normalize("NFC", p.extract_text()) for p in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode("utf-8", "replace")


def _is_login_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    location = response["Location"].split("?")[0]
    return location in {reverse(settings.LOGIN_URL), reverse("admin:login")}


def snapshot() -> dict:
    """Every row of the application's tables (sign-in times aside)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in DATA_APPS:
            values = model._default_manager.order_by("pk").values()
            rows[model._meta.label] = [{k: v for k, v in row.items() if k != "last_login"} for row in values]
    return rows


# The tests


def test_every_url_pattern_that_takes_an_argument_has_an_object_to_fill_it(worlds):
    _a, b = worlds
    requests, unfilled = object_urls(b)
    assert unfilled == [], f"URL patterns with no fixture object (add them to World.fills): {unfilled}"
    covered = {name for name, _url, _public in requests}
    assert set(b.fills()) <= covered, f"fills for patterns that no longer exist: {set(b.fills()) - covered}"


@pytest.mark.parametrize("role", ["staff", "owner", "viewer", "auditor"])
def test_a_user_of_unit_a_gets_nothing_of_unit_b_from_any_url(client, worlds, role):
    a, b = worlds
    client.force_login(getattr(a, role))
    requests, unfilled = object_urls(b)
    assert not unfilled
    before = snapshot()
    markers = [b.marker]
    leaks = []
    for name, url, public in requests:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"transition": "approve", "comment": "x", "reason": "x"})
            status = response.status_code
            if status in (403, 404, 405) or _is_login_redirect(response):
                continue
            # Organisation-wide objects (published procedures, the programme, record types) may be
            # read, but never with a trace of the other unit's private data, and never changed.
            if public and status in (200, 302) and not any(m in _text(response) for m in markers):
                continue
            leaks.append(f"{method.upper()} {url} ({name}): {status}")
    assert leaks == []
    assert snapshot() == before, "a refused request changed data"


@pytest.mark.parametrize("role", ["staff", "owner", "viewer", "auditor"])
def test_no_page_without_arguments_shows_a_user_of_unit_a_anything_of_unit_b(client, worlds, role):
    """Every list, export, printout and dashboard of the URL conf (the patterns that take no
    object), as a user of unit A: never a trace of unit B's private data."""
    a, b = worlds
    client.force_login(getattr(a, role))
    pages, leaks = [], []
    for name, chain in _walk(get_resolver().url_patterns):
        arguments = _arguments(chain)
        if name is None or (arguments and name not in NOT_OBJECTS):
            continue
        url = reverse(name, kwargs=NOT_OBJECTS.get(name, {}))
        response = client.get(url)
        if response.status_code in (403, 404, 405) or _is_login_redirect(response) or response.status_code == 302:
            continue
        pages.append(name)
        if b.marker in _text(response):
            leaks.append(f"GET {url} ({name})")
    assert leaks == []
    # The walk did read the pages that list private data, so it can catch a leak on them.
    # (The job list shows no marker; tests/iso/test_jobs.py checks whose jobs it lists.)
    assert {"cases:case_list", "audits:nonconformity_list", "records:kept_record_list", "job_list", "home",
            "cases:dashboard_export", "cases:dashboard_print"} <= set(pages)


def test_the_walk_over_pages_without_arguments_finds_unit_bs_data_where_it_belongs(client, worlds):
    _a, b = worlds
    client.force_login(b.staff)
    for name in ("cases:case_list", "audits:nonconformity_list", "records:kept_record_list"):
        assert b.marker in _text(client.get(reverse(name))), name


def _content(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, name
    return response


def test_lists_exports_and_dashboard_of_a_unit_a_user_show_a_and_not_b(client, worlds):
    a, b = worlds
    client.force_login(a.staff)
    for name in ("cases:case_list", "audits:nonconformity_list", "records:kept_record_list", "objectives:objective_list",
                 "reviews:review_list", "reviews:action_list", "risks:risk_list", "home"):
        text = _content(client, name).content.decode()
        assert b.marker not in text, name
    assert f"{a.marker}CASE" in _content(client, "cases:case_list").content.decode()
    assert f"{a.marker}RISK" in _content(client, "risks:risk_list").content.decode()
    risks_csv = client.get(reverse("risks:risk_export", args=["csv"])).content.decode("utf-8-sig")
    assert a.risk.reference in risks_csv and b.risk.reference not in risks_csv
    risks_pdf = _text(_content(client, "risks:risk_register_print"))
    assert a.risk.reference in risks_pdf and b.risk.reference not in risks_pdf
    assert f"{a.marker}FINDING" in _content(client, "audits:nonconformity_list").content.decode()
    assert f"{a.marker}RECORD" in _content(client, "records:kept_record_list").content.decode()
    objectives = _content(client, "objectives:objective_list", year=TODAY.year - 1).content.decode()
    assert f"{a.marker}OBJECTIVE" in objectives and b.marker not in objectives
    exported = client.get(reverse("objectives:objective_export", args=["csv"]), {"year": TODAY.year - 1}).content.decode()
    assert f"{a.marker}OBJECTIVE" in exported and b.marker not in exported

    dashboard = _content(client, "cases:dashboard")
    assert dashboard.context["total"].received == 2  # the late case and the completed one
    assert [row.label for row in dashboard.context["by_unit"]] == [a.unit.name]
    assert list(dashboard.context["form"].fields["unit"].queryset) == [a.unit]
    # Unit B is not a choice: asking for it gives the user's own figures, never B's.
    asked_for_b = _content(client, "cases:dashboard", unit=b.unit.pk).context
    assert asked_for_b["total"].received == 2
    assert [row.label for row in asked_for_b["by_unit"]] == [a.unit.name]

    csv = client.get(reverse("cases:dashboard_export", args=["csv"])).content.decode()
    assert a.unit.name in csv and b.unit.name not in csv and b.procedure.title not in csv
    xlsx = openpyxl.load_workbook(io.BytesIO(client.get(reverse("cases:dashboard_export", args=["xlsx"])).content))
    cells = {str(cell.value) for row in xlsx.active.iter_rows() for cell in row}
    assert a.unit.name in cells and b.unit.name not in cells
    report = _text(_content(client, "cases:dashboard_print"))
    assert a.unit.name in report and b.unit.name not in report


def test_the_case_export_job_of_a_unit_a_user_holds_a_cases_and_not_b(client, worlds, django_capture_on_commit_callbacks):
    a, b = worlds
    client.force_login(a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:case_export", args=["csv"]))
    job = Job.objects.exclude(pk=a.job.pk).get(requested_by=a.staff)
    assert response.status_code == 302 and job.state == Job.State.DONE
    exported = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    assert a.case.reference in exported and b.case.reference not in exported


def test_the_secretary_and_an_approver_see_every_unit(client, worlds, secretary, approver):
    a, b = worlds
    for user in (secretary, approver):
        client.force_login(user)
        text = _content(client, "cases:case_list").content.decode()
        assert f"{a.marker}CASE" in text and f"{b.marker}CASE" in text
        assert _content(client, "cases:dashboard").context["total"].received == 4
        assert client.get(b.nonconformity.get_absolute_url()).status_code == 200


def test_an_auditor_sees_the_audits_they_are_on_and_what_those_audits_raised(client, worlds):
    a, b = worlds
    lead = b.audit.lead_auditor
    client.force_login(lead)
    assert client.get(b.audit.get_absolute_url()).status_code == 200
    assert client.get(b.nonconformity.get_absolute_url()).status_code == 200
    assert client.get(b.case.get_absolute_url()).status_code == 200  # a case of the audited unit
    # An auditor of unit A, on no audit, sees none of it.
    client.force_login(a.auditor)
    assert client.get(b.audit.get_absolute_url()).status_code == 404
    assert client.get(a.audit.get_absolute_url()).status_code == 404
    assert client.get(a.nonconformity.get_absolute_url()).status_code == 404


def test_a_unit_user_reaches_the_units_below_their_own(client, worlds):
    a, _b = worlds
    section = OrgUnitFactory(code="PA-1", name="Tổ An", parent=a.unit)
    head = UserFactory(username="head", roles=[Role.STAFF], unit=a.unit)
    clerk = UserFactory(username="clerk", roles=[Role.STAFF], unit=section)
    case = case_services.case_receive(procedure=a.procedure, by=clerk, applicant_name="Tổ dưới", unit=section)
    client.force_login(head)
    assert client.get(case.get_absolute_url()).status_code == 200
    client.force_login(clerk)
    assert client.get(a.case.get_absolute_url()).status_code == 404  # the unit above is not below


def test_a_viewer_cannot_post_any_transition_or_change_anything(client, worlds):
    a, _b = worlds
    client.force_login(a.viewer)
    requests, _unfilled = object_urls(a)
    before = snapshot()
    changed = []
    for name, url, _public in requests:
        if name == "processes:revision_acknowledge":
            continue  # recording that one has read a procedure changes no quality record
        for payload in ({"transition": t, "comment": "x", "reason": "x", "note": "x"} for t in ("approve", "submit", "start", "archive")):
            client.post(url, payload)
            if snapshot() != before:
                changed.append(f"POST {url} {payload['transition']}")
                before = snapshot()
    assert changed == []


def test_acknowledging_is_for_the_units_that_apply_the_procedure(client, worlds):
    a, b = worlds
    client.force_login(a.staff)
    assert client.post(reverse("processes:revision_acknowledge", args=[b.procedure.code, b.effective.number])).status_code == 403
    assert client.post(reverse("processes:revision_acknowledge", args=[a.procedure.code, a.effective.number])).status_code == 302
    assert a.effective.acknowledgements.filter(user=a.staff).exists()


def test_a_process_owner_changes_only_the_procedures_of_their_unit(client, worlds):
    a, b = worlds
    client.force_login(a.owner)
    assert client.get(reverse("processes:revision_edit", args=[a.procedure.code, a.draft.number])).status_code == 200
    assert client.get(reverse("processes:revision_edit", args=[b.procedure.code, b.draft.number])).status_code == 404
    assert client.get(reverse("processes:revision_detail", args=[b.procedure.code, b.effective.number])).status_code == 200
    assert client.get(reverse("processes:revision_edit", args=[b.procedure.code, b.effective.number])).status_code == 403


def test_the_admin_is_for_the_secretary_and_superusers_only(client, worlds, secretary, approver):
    a, _b = worlds
    secretary.is_staff = True
    secretary.save()
    staff_flagged = UserFactory(username="flagged", roles=[Role.STAFF], unit=a.unit, is_staff=True)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user, allowed in ((secretary, True), (superuser, True), (approver, False), (staff_flagged, False), (a.staff, False)):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert (response.status_code == 200) is allowed, user.username
        navigation = client.get(reverse("home")).context["navigation"]
        assert any(item["url"] == reverse("admin:index") for item in navigation) is allowed


@pytest.mark.parametrize(
    "name", ["cases:case_list", "audits:nonconformity_list", "records:kept_record_list", "risks:risk_list"]
)
def test_scoped_list_pages_keep_a_flat_query_count(client, worlds, django_assert_max_num_queries, name):
    a, _b = worlds
    client.force_login(a.staff)
    url = reverse(name)
    client.get(url)  # warm the caches of content types and permissions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for number in range(8):
        case_services.case_receive(procedure=a.procedure, by=a.staff, applicant_name=f"Người {number}")
        audit_services.nonconformity_raise(by=a.staff, source="complaint", unit=a.unit, description=f"NC {number}")
        record_services.kept_record_store(
            record_type=a.record_type, title=f"Hồ sơ {number}", content=b"%PDF-1.7\n%%EOF\n", filename="x.pdf", record_date=TODAY, by=a.staff
        )
        risk_services.risk_identify(
            by=a.staff, owner=a.staff, kind="risk", title=f"Rủi ro {number}", source="process", unit=a.unit,
            review_date=TODAY + datetime.timedelta(days=30), likelihood=1 + number % 5, impact=2,
        )
    with django_assert_max_num_queries(len(first)):
        assert client.get(url).status_code == 200


def test_a_record_transition_never_redirects_off_the_site(client, worlds, secretary):
    a, _b = worlds
    client.force_login(secretary)
    response = client.post(
        reverse("records:kept_record_transition", args=[a.kept.pk]),
        {"transition": "archive", "next": "https://elsewhere.example/phish"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("records:kept_record_list")
