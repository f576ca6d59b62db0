"""The demo organisation: a fictional district People's Committee, its departments and communes, and
one login per role, so that a fresh installation can be shown and tried at once.

Everything here is created idempotently, by unit code and by username: loading twice changes
nothing. It is demo data for a throwaway database, never for a real organisation's:
:func:`foreign_data` finds what a real installation holds, and ``load_demo`` refuses to load there.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.module_loading import import_string
from django.utils.translation import ngettext

from .models import CalendarDay, OrgUnit, Role, Signature, User
from .signatures import SignatureRequest

#: The password of every demo login. For the demo only: a real installation never loads this data.
DEMO_PASSWORD = "demo-iso-9001"
#: The domain of every demo login's address (every app's demo logins use it); reserved for
#: examples, so no real person's address is in it.
DEMO_EMAIL_DOMAIN = "quangtrung.example.org"
#: The dotted path of the demo's procedures (each a dict with a "code"), read only when checking.
DEMO_PROCEDURES = "processes.demo.PROCEDURES"


def demo_signature(meaning: str = Signature.Meaning.APPROVED) -> SignatureRequest:
    """The electronic signature of a demo login: the demo signs its approvals as users do, with the
    password re-entered, so that its documents show valid signatures."""
    return SignatureRequest(password=DEMO_PASSWORD, meaning=meaning)


#: What ``manage.py load_demo`` runs after :func:`load_organisation`, in order, as dotted paths to
#: functions that take the :class:`DemoOrganisation`. Dotted paths keep the core free of imports of
#: the apps built on it; each app that has demo data adds its loader here.
DEMO_LOADERS: list[str] = [
    "iso.demo.load_calendar",
    "processes.demo.load_procedures",
    "cases.demo.load_cases",
    "audits.demo.load_audits",
    "records.demo.load_records",
    "satisfaction.demo.load_feedback",
    "objectives.demo.load_objectives",
    "qms.demo.load_qms",
    "reviews.demo.load_reviews",
    "risks.demo.load_risks",
]

#: Vietnam's public holidays on working days and the make-up working days, for the current and the
#: next year (Labour Code 2019 art. 112 and the government's yearly decisions). Demo data: a real
#: installation imports the official calendar with ``manage.py import_calendar``.
CALENDAR = [
    ("2026-01-01", "holiday", "Tết Dương lịch"),
    ("2026-02-16", "holiday", "Tết Nguyên đán"),
    ("2026-02-17", "holiday", "Tết Nguyên đán"),
    ("2026-02-18", "holiday", "Tết Nguyên đán"),
    ("2026-02-19", "holiday", "Tết Nguyên đán"),
    ("2026-02-20", "holiday", "Tết Nguyên đán"),
    ("2026-04-27", "holiday", "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    ("2026-04-30", "holiday", "Ngày Giải phóng miền Nam"),
    ("2026-05-01", "holiday", "Ngày Quốc tế Lao động"),
    ("2026-09-01", "holiday", "Quốc khánh"),
    ("2026-09-02", "holiday", "Quốc khánh"),
    ("2027-01-01", "holiday", "Tết Dương lịch"),
    ("2027-02-04", "holiday", "Tết Nguyên đán"),
    ("2027-02-05", "holiday", "Tết Nguyên đán"),
    ("2027-02-08", "holiday", "Tết Nguyên đán"),
    ("2027-02-09", "holiday", "Tết Nguyên đán"),
    ("2027-02-10", "holiday", "Tết Nguyên đán"),
    ("2027-02-20", "working_day", "Làm bù cho ngày nghỉ Tết Nguyên đán"),
    ("2027-04-16", "holiday", "Giỗ Tổ Hùng Vương"),
    ("2027-04-30", "holiday", "Ngày Giải phóng miền Nam"),
    ("2027-05-03", "holiday", "Ngày Quốc tế Lao động (nghỉ bù)"),
    ("2027-09-02", "holiday", "Quốc khánh"),
    ("2027-09-03", "holiday", "Quốc khánh"),
]

#: Units as (code, name, kind, parent code), parents before their children.
UNITS = [
    ("HQT", "UBND huyện Quang Trung", OrgUnit.Kind.DISTRICT, None),
    ("VP", "Văn phòng HĐND và UBND huyện", OrgUnit.Kind.DEPARTMENT, "HQT"),
    # The one-stop shop of a district sits under its office, as in most districts.
    ("MC", "Bộ phận Tiếp nhận và trả kết quả huyện (Bộ phận Một cửa)", OrgUnit.Kind.SECTION, "VP"),
    ("TP", "Phòng Tư pháp", OrgUnit.Kind.DEPARTMENT, "HQT"),
    ("TCKH", "Phòng Tài chính - Kế hoạch", OrgUnit.Kind.DEPARTMENT, "HQT"),
    ("NV", "Phòng Nội vụ", OrgUnit.Kind.DEPARTMENT, "HQT"),
    ("KTHT", "Phòng Kinh tế và Hạ tầng", OrgUnit.Kind.DEPARTMENT, "HQT"),
    ("XAP", "UBND xã An Phú", OrgUnit.Kind.COMMUNE, "HQT"),
    ("XHB", "UBND xã Hòa Bình", OrgUnit.Kind.COMMUNE, "HQT"),
    ("XTL", "UBND xã Tân Lập", OrgUnit.Kind.COMMUNE, "HQT"),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    job_title: str
    unit: str
    role: Role
    #: Further roles: a head of office may both write procedures and approve others' revisions.
    extra_roles: tuple[Role, ...] = ()
    is_staff: bool = False


#: The main login of each role comes first; the others give the acknowledgement lists several
#: readers and let the rule "the approver is never the author" be shown with two approvers.
PEOPLE = [
    DemoPerson("thuky", "Nguyễn Thị Thu Hà", "Chuyên viên Văn phòng HĐND và UBND huyện, Thư ký ISO", "VP",
               Role.ISO_SECRETARY, is_staff=True),
    DemoPerson("lanhdao", "Trần Quốc Hùng", "Phó Chủ tịch UBND huyện, Trưởng Ban chỉ đạo ISO", "HQT", Role.APPROVER),
    DemoPerson("chuquytrinh", "Phạm Văn Đức", "Trưởng phòng Tư pháp", "TP", Role.PROCESS_OWNER),
    DemoPerson("canbo", "Hoàng Thị Lan", "Công chức Bộ phận Tiếp nhận và trả kết quả", "MC", Role.STAFF),
    DemoPerson("danhgia", "Đỗ Minh Tuấn", "Phó Trưởng phòng Nội vụ, chuyên gia đánh giá nội bộ", "NV",
               Role.INTERNAL_AUDITOR),
    DemoPerson("xem", "Vũ Thị Hồng Nhung", "Chuyên viên Phòng Tài chính - Kế hoạch", "TCKH", Role.VIEWER),
    DemoPerson("lanhdao2", "Lê Thị Minh Tâm", "Chánh Văn phòng HĐND và UBND huyện, Phó Trưởng Ban chỉ đạo ISO", "VP",
               Role.APPROVER, extra_roles=(Role.PROCESS_OWNER,)),
    DemoPerson("motcua2", "Bùi Văn Khánh", "Công chức Bộ phận Tiếp nhận và trả kết quả", "MC", Role.STAFF),
    DemoPerson("cb.tuphap", "Ngô Thị Thanh Hương", "Chuyên viên Phòng Tư pháp (chứng thực)", "TP", Role.STAFF),
    DemoPerson("cb.dkkd", "Đặng Văn Long", "Chuyên viên Phòng Tài chính - Kế hoạch (đăng ký kinh doanh)", "TCKH",
               Role.STAFF),
    DemoPerson("cb.xaydung", "Trịnh Văn Sơn", "Chuyên viên Phòng Kinh tế và Hạ tầng (cấp phép xây dựng)", "KTHT",
               Role.STAFF),
    DemoPerson("chutich.anphu", "Phan Văn Bình", "Chủ tịch UBND xã An Phú", "XAP", Role.STAFF),
    DemoPerson("hotich.anphu", "Lý Thị Mai", "Công chức Tư pháp - Hộ tịch xã An Phú", "XAP", Role.STAFF),
    DemoPerson("vanphong.anphu", "Đinh Văn Toàn", "Công chức Văn phòng - Thống kê xã An Phú (Bộ phận Một cửa)", "XAP",
               Role.STAFF),
    DemoPerson("hotich.hoabinh", "Cao Thị Ngọc Ánh", "Công chức Tư pháp - Hộ tịch xã Hòa Bình", "XHB", Role.STAFF),
    DemoPerson("vanphong.hoabinh", "Tạ Văn Hải", "Công chức Văn phòng - Thống kê xã Hòa Bình (Bộ phận Một cửa)",
               "XHB", Role.STAFF),
    DemoPerson("hotich.tanlap", "Mai Thị Thủy", "Công chức Tư pháp - Hộ tịch xã Tân Lập", "XTL", Role.STAFF),
]


def _listed(names: list[str]) -> dict:
    return {"count": len(names), "names": ", ".join(names[:5]) + (", …" if len(names) > 5 else "")}


def foreign_data() -> list[str]:
    """What the database holds that the demo does not make, each kind with a count and a few names:
    users whose address is not the demo's, units and procedures whose code is not the demo's.

    Empty for a new database, and for one that holds only the demo (and what was done in it).
    """
    found = []
    users = list(
        User.objects.exclude(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").order_by("username").values_list("username", flat=True)
    )
    if users:
        found.append(ngettext("%(count)s user (%(names)s)", "%(count)s users (%(names)s)", len(users)) % _listed(users))
    units = list(OrgUnit.objects.exclude(code__in=[code for code, *_rest in UNITS]).values_list("code", flat=True))
    if units:
        found.append(ngettext("%(count)s unit (%(names)s)", "%(count)s units (%(names)s)", len(units)) % _listed(units))
    if apps.is_installed("processes"):
        codes = [procedure["code"] for procedure in import_string(DEMO_PROCEDURES)]
        procedures = list(
            apps.get_model("processes", "Procedure").objects.exclude(code__in=codes).order_by("code").values_list("code", flat=True)
        )
        if procedures:
            found.append(
                ngettext("%(count)s procedure (%(names)s)", "%(count)s procedures (%(names)s)", len(procedures))
                % _listed(procedures)
            )
    return found


@dataclass
class DemoOrganisation:
    """What :func:`load_organisation` made, for the loaders of the apps to build on."""

    #: Every demo unit by code.
    units: dict[str, OrgUnit]
    #: The main login of each role, by role value (``users[Role.APPROVER]``).
    users: dict[str, User]
    #: Every demo login by username, in the order of :data:`PEOPLE`.
    people: dict[str, User]

    def logins(self) -> list[tuple[tuple[Role, ...], User]]:
        """Each demo login with its roles, main logins first."""
        return [((person.role, *person.extra_roles), self.people[person.username]) for person in PEOPLE]


def load_organisation() -> DemoOrganisation:
    """Create or refresh the demo units and logins, and return them.

    Units are matched by code and users by username; names, titles, units and staff status are
    brought back to the demo's values and the role groups added. A login that already exists keeps
    its password, so that loading again never undoes a password someone has changed.
    """
    units: dict[str, OrgUnit] = {}
    for code, name, kind, parent in UNITS:
        units[code], _created = OrgUnit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent), "is_active": True}
        )

    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    missing = set(Role.values) - set(groups)
    if missing:
        raise LookupError(f"The role groups {', '.join(sorted(missing))} are missing; run migrate first.")

    usernames = [person.username for person in PEOPLE]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    # One hash for all new logins, and none when there are none: hashing is deliberately slow.
    password = make_password(DEMO_PASSWORD) if existing != set(usernames) else None
    for person in PEOPLE:
        fields = {
            "full_name": person.full_name,
            "job_title": person.job_title,
            "unit": units[person.unit],
            "email": f"{person.username}@{DEMO_EMAIL_DOMAIN}",
            "is_staff": person.is_staff,
            "is_active": True,
        }
        user, _created = User.objects.update_or_create(
            username=person.username, defaults=fields, create_defaults={**fields, "password": password}
        )
        user.groups.add(*(groups[role] for role in (person.role, *person.extra_roles)))

    # Read the users again: permissions and roles are cached on an instance, and these instances
    # were read before their groups were added.
    fresh = User.objects.select_related("unit").in_bulk(usernames, field_name="username")
    people = {username: fresh[username] for username in usernames}
    main_logins = {}
    for person in PEOPLE:
        main_logins.setdefault(person.role.value, people[person.username])
    return DemoOrganisation(units=units, users=main_logins, people=people)


def load_calendar(organisation: "DemoOrganisation") -> None:
    """The demo working calendar: this year's and next year's holidays and make-up days."""
    for date, kind, name in CALENDAR:
        CalendarDay.objects.get_or_create(date=date, defaults={"kind": kind, "name": name})
