"""Small factories for the core and the procedure workflow.

The protected FSM ``state`` of a revision is never set here: a factory makes drafts, and the helpers
at the end move a draft on through the services, exactly as a user would.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.db.models import Max
from django.utils import timezone

from iso.models import Clause, OrgUnit, Role, Signature, User
from iso.signatures import SignatureRequest
from processes import services
from processes.models import FormTemplate, Procedure, ProcedureRevision, RecordToKeep, Step, StepEdge
from qms.models import (
    ContextIssue,
    ExcludedClause,
    InterestedParty,
    PolicyCommitment,
    PolicyRevision,
    QmsDocument,
    ScopeRevision,
)


#: The password of every user the factories make; the one they sign with.
PASSWORD = "đúng-mật-khẩu"


def signed(meaning: str = Signature.Meaning.APPROVED, password: str = PASSWORD) -> SignatureRequest:
    """An electronic signature as a user posts it with a signed action."""
    return SignatureRequest(password=password, meaning=meaning)


def signed_post(meaning: str = Signature.Meaning.APPROVED, password: str = PASSWORD) -> dict:
    """The signature fields a page posts with a signed action."""
    return {"signature_password": password, "signature_meaning": meaning}


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"Phòng {n}")
    kind = OrgUnit.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``UserFactory(roles=[Role.APPROVER])`` puts them in the role groups."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    unit = None
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        names = [str(role) for role in extracted]
        groups = list(Group.objects.filter(name__in=names))
        missing = set(names) - {g.name for g in groups}
        if missing:
            raise LookupError(f"No role group named {', '.join(sorted(missing))}.")
        self.groups.add(*groups)
        # Roles and permissions are cached on the instance; the next read must see the new groups.
        for cache in ("_roles", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            self.__dict__.pop(cache, None)


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"QT-{n + 1:02d}")
    title = factory.Sequence(lambda n: f"Quy trình {n + 1}")
    owner_unit = factory.SubFactory(OrgUnitFactory)
    category = Procedure.Category.ADMINISTRATIVE


def _next_number(procedure: Procedure) -> int:
    last = procedure.revisions.aggregate(last=Max("number"))["last"]
    return 0 if last is None else last + 1


class ProcedureRevisionFactory(factory.django.DjangoModelFactory):
    """A draft revision, numbered after the procedure's last one (0 for the first)."""

    class Meta:
        model = ProcedureRevision

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.LazyAttribute(lambda o: _next_number(o.procedure))
    author = factory.SubFactory(UserFactory, roles=[Role.PROCESS_OWNER])
    purpose = "Quy định trình tự tiếp nhận và giải quyết hồ sơ."
    scope = "Áp dụng cho bộ phận một cửa."
    references = "Luật Hộ tịch 2014"
    definitions = "TN: tiếp nhận"
    content = "Thành phần hồ sơ: tờ khai."


class FormTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormTemplate

    revision = factory.SubFactory(ProcedureRevisionFactory)
    code = factory.Sequence(lambda n: f"BM.{n + 1:02d}")
    title = factory.Sequence(lambda n: f"Biểu mẫu {n + 1}")


class RecordToKeepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordToKeep

    revision = factory.SubFactory(ProcedureRevisionFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Sổ theo dõi {n + 1}")
    keeper = "Bộ phận một cửa"
    retention_years = 5


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step
        skip_postgeneration_save = True

    revision = factory.SubFactory(ProcedureRevisionFactory)
    code = factory.Sequence(lambda n: f"B{n + 1}")
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Bước {n + 1}")
    kind = Step.Kind.TASK
    time_limit = Decimal("1")

    @factory.post_generation
    def forms(self, create, extracted, **kwargs):
        if create and extracted:
            self.forms.set(extracted)


class StepEdgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepEdge

    revision = factory.SubFactory(ProcedureRevisionFactory)
    source = factory.SubFactory(StepFactory, revision=factory.SelfAttribute("..revision"))
    target = factory.SubFactory(StepFactory, revision=factory.SelfAttribute("..revision"))
    action = "Chuyển"


def build_step_graph(revision: ProcedureRevision) -> dict[str, Step]:
    """Give ``revision`` a small sound step graph and return its steps by code.

    TN (start) → XL (task) → KQ (end), with a supplement loop XL → BS → XL and a reject move
    XL → TC (a second end).
    """
    kinds = [
        ("TN", Step.Kind.START, "Tiếp nhận hồ sơ", Decimal("0")),
        ("XL", Step.Kind.TASK, "Thẩm định, xử lý", Decimal("3")),
        ("BS", Step.Kind.TASK, "Chờ bổ sung hồ sơ", Decimal("0")),
        ("KQ", Step.Kind.END, "Trả kết quả", Decimal("0")),
        ("TC", Step.Kind.END, "Từ chối, trả hồ sơ", Decimal("0")),
    ]
    steps = {
        code: StepFactory(revision=revision, code=code, position=position, kind=kind, name=name, time_limit=limit)
        for position, (code, kind, name, limit) in enumerate(kinds)
    }
    for source, target, action in [
        ("TN", "XL", "Chuyển xử lý"),
        ("XL", "BS", "Yêu cầu bổ sung"),
        ("BS", "XL", "Đã bổ sung"),
        ("XL", "KQ", "Đủ điều kiện"),
        ("XL", "TC", "Từ chối"),
    ]:
        StepEdgeFactory(revision=revision, source=steps[source], target=steps[target], action=action)
    return steps


def _role_user(user, role: Role) -> User:
    return user if user is not None else UserFactory(roles=[role])


def make_in_review(revision, *, submitted_by=None):
    """Submit ``revision`` (by its author unless told otherwise); a procedure revision without steps
    gets the graph of :func:`build_step_graph` first, so that it can be submitted. Every kind of
    controlled revision goes through the same helpers."""
    if isinstance(revision, ProcedureRevision) and not revision.steps.exists():
        build_step_graph(revision)
    return services.revision_submit(revision=revision, by=submitted_by or revision.author)


def make_approved(revision, *, submitted_by=None, approver=None):
    """Submit, then approve by ``approver`` (a new approver when not given; never the author)."""
    revision = make_in_review(revision, submitted_by=submitted_by)
    return services.revision_approve(revision=revision, by=_role_user(approver, Role.APPROVER), signature=signed())


def make_effective(
    revision,
    *,
    submitted_by=None,
    approver=None,
    publisher=None,
    effective_from: datetime.date | None = None,
):
    """Submit, approve by another user, and publish (by the ISO secretary) through the services."""
    revision = make_approved(revision, submitted_by=submitted_by, approver=approver)
    return services.revision_publish(
        revision=revision, by=_role_user(publisher, Role.ISO_SECRETARY), effective_from=effective_from, signature=signed()
    )


# Satisfaction


class ResolvedCaseFactory(factory.django.DjangoModelFactory):
    """A case already resolved (completed unless told otherwise), made directly rather than moved
    through its steps: for tests of what happens after the result went back to the applicant."""

    class Meta:
        model = "cases.Case"

    procedure = factory.SubFactory(ProcedureFactory)
    revision = factory.SubFactory(ProcedureRevisionFactory, procedure=factory.SelfAttribute("..procedure"))
    unit = factory.LazyAttribute(lambda o: o.procedure.owner_unit)
    received_by = factory.SubFactory(UserFactory)
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    due_at = factory.LazyAttribute(lambda o: o.received_at + datetime.timedelta(days=5))
    resolved_at = factory.LazyAttribute(lambda o: o.received_at + datetime.timedelta(days=1))
    year = factory.LazyAttribute(lambda o: o.received_at.year)
    sequence = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda o: f"{o.procedure.code}-{o.sequence:04d}")
    state = "completed"
    timing = "early"
    applicant_name = "Nguyễn Văn Dân"


class FeedbackFactory(factory.django.DjangoModelFactory):
    """Feedback given at the kiosk; ``FeedbackFactory(scores={"staff_attitude": 5})`` rates the
    criteria named by code."""

    class Meta:
        model = "satisfaction.Feedback"
        skip_postgeneration_save = True

    case = factory.SubFactory(ResolvedCaseFactory)
    channel = "kiosk"
    given_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def scores(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        from satisfaction.models import Criterion, Rating

        criteria = Criterion.objects.in_bulk(list(extracted), field_name="code")
        Rating.objects.bulk_create(Rating(feedback=self, criterion=criteria[code], score=s) for code, s in extracted.items())


class ObjectiveFactory(factory.django.DjangoModelFactory):
    """A quality objective of the whole organisation for this year, measured by values entered
    monthly unless given an ``indicator``; due on 31 December."""

    class Meta:
        model = "objectives.Objective"

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda o: f"MT-{o.year}-{o.number:02d}")
    name = factory.Sequence(lambda n: f"Mục tiêu chất lượng {n + 1}")
    target = Decimal("90")
    unit_of_measure = "%"
    owner = factory.SubFactory(UserFactory, roles=[Role.PROCESS_OWNER])
    due_date = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 31))
    created_by = factory.SelfAttribute("owner")


# The management system's own documents (qms)


class QmsDocumentFactory(factory.django.DjangoModelFactory):
    """The organisation's scope document (or, with ``kind``, its policy): one of each, shared."""

    class Meta:
        model = QmsDocument
        django_get_or_create = ("kind",)

    kind = QmsDocument.Kind.SCOPE
    code = factory.LazyAttribute(lambda o: {"scope": "STCL-01", "policy": "CSCL-01"}[o.kind])
    title = factory.LazyAttribute(
        lambda o: {"scope": "Phạm vi và bối cảnh của HTQLCL", "policy": "Chính sách chất lượng"}[o.kind]
    )


def _next_qms_number(document: QmsDocument) -> int:
    last = document.revisions.aggregate(last=Max("number"))["last"]
    return 0 if last is None else last + 1


class ScopeRevisionFactory(factory.django.DjangoModelFactory):
    """A draft scope revision by an ISO secretary, with one unit in scope unless ``units`` are given."""

    class Meta:
        model = ScopeRevision
        skip_postgeneration_save = True

    document = factory.SubFactory(QmsDocumentFactory, kind=QmsDocument.Kind.SCOPE)
    number = factory.LazyAttribute(lambda o: _next_qms_number(o.document))
    author = factory.SubFactory(UserFactory, roles=[Role.ISO_SECRETARY])
    statement = "Giải quyết thủ tục hành chính tại Bộ phận Một cửa của UBND huyện Quang Trung."

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create:
            self.units.set(extracted if extracted is not None else [OrgUnitFactory()])

    @factory.post_generation
    def procedures(self, create, extracted, **kwargs):
        if create and extracted:
            self.procedures.set(extracted)


class ExcludedClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExcludedClause

    revision = factory.SubFactory(ScopeRevisionFactory)
    clause = factory.LazyFunction(lambda: Clause.objects.get(number="8.3"))
    justification = "Cơ quan không thiết kế sản phẩm, dịch vụ mới: thủ tục hành chính do pháp luật quy định."


class ContextIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContextIssue

    revision = factory.SubFactory(ScopeRevisionFactory)
    position = factory.Sequence(lambda n: n)
    kind = ContextIssue.Kind.EXTERNAL
    description = factory.Sequence(lambda n: f"Vấn đề {n + 1}")
    effect = "Ảnh hưởng đến thời hạn giải quyết hồ sơ."


class InterestedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestedParty

    revision = factory.SubFactory(ScopeRevisionFactory)
    position = factory.Sequence(lambda n: n)
    party = factory.Sequence(lambda n: f"Bên quan tâm {n + 1}")
    requirements = "Giải quyết đúng hẹn, công khai, minh bạch."
    monitoring = "Khảo sát mức độ hài lòng hằng năm."


class PolicyRevisionFactory(factory.django.DjangoModelFactory):
    """A draft revision of the quality policy by an ISO secretary."""

    class Meta:
        model = PolicyRevision

    document = factory.SubFactory(QmsDocumentFactory, kind=QmsDocument.Kind.POLICY)
    number = factory.LazyAttribute(lambda o: _next_qms_number(o.document))
    author = factory.SubFactory(UserFactory, roles=[Role.ISO_SECRETARY])
    text = "Lấy sự hài lòng của người dân, doanh nghiệp làm thước đo chất lượng phục vụ."


class PolicyCommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyCommitment

    revision = factory.SubFactory(PolicyRevisionFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Cam kết {n + 1}")


# Risks and opportunities: entered through the service, so that each has its reference and history.


def risk_scale(size: int = 5, medium_from: int = 5, high_from: int = 10, critical_from: int = 15, **labels):
    """Set the organisation's risk scale (one row) and return it."""
    from risks.models import RiskScale

    scale = RiskScale.objects.current()
    for name, value in dict(size=size, medium_from=medium_from, high_from=high_from, critical_from=critical_from, **labels).items():
        setattr(scale, name, value)
    scale.full_clean()
    scale.save()
    return scale


def make_risk(*, owner, unit=None, by=None, title: str = "Hồ sơ trễ hạn vào cao điểm", likelihood=None, impact=None,
              review_in_days: int = 90, **fields):
    """A risk entered by ``by`` (its owner by default), rated when ``likelihood`` and ``impact`` are given."""
    from django.utils import timezone

    from risks import services as risk_services
    from risks.models import Risk

    today = timezone.localdate()
    values = {
        "kind": Risk.Kind.RISK, "source": Risk.Source.INTERNAL_ISSUE, "unit": unit or owner.unit,
        "review_date": today + datetime.timedelta(days=review_in_days), **fields,
    }
    return risk_services.risk_identify(
        by=by or owner, owner=owner, title=title, likelihood=likelihood, impact=impact, **values
    )
