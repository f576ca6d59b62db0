"""Fill a PostgreSQL database of its own with a province: units, people, procedures, ten years of
cases and audits, nonconformities and corrective actions.

    .venv/bin/python bench/generate_province.py [--database-url postgresql://postgres@127.0.0.1:5432/iso_province]
                                                [--scale 1.0] [--years 10] [--recreate]

At scale 1: 500 units (province → departments with their sections, and districts → communes),
about 1,000 logins, 2,000 procedures with one to three revisions each and their step graphs,
5,000,000 cases with their step visits, supplement requests and apologies, ten audit programmes
with 1,000 audits and 50,000 findings, 50,000 nonconformities and their corrective actions.
``--scale 0.01`` makes a hundredth of it (units and procedures no fewer than 40).

The data follow the application's rules: each case runs under the revision in force on the day
it was received, its due date and every step's due date come from the steps' time limits in
working time (the same working calendar, holidays included, as ``cases.services``), early / on
time / late is classified as the services do, a supplement restarts the clock, late cases carry
their apology, dossier codes number each procedure's register per year in order of receipt,
open cases stand on one step with one open visit. Audits never have an auditor from an audited
unit; nonconformities and actions are in states their fields agree with.

The organisation, procedures and audits are written with bulk inserts; cases and their rows
with PostgreSQL COPY (psycopg 3 ``cursor.copy``), with the tables' secondary indexes, foreign
keys and triggers set aside during the load and put back after it (which checks every row).
Rows per second are printed per table. Transition-log entries are not generated for history.
The logins all have the password printed at the end.
"""

import argparse
import bisect
import datetime
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/iso_province"
PASSWORD = "province-bench-2026"
UTC = datetime.timezone.utc

DEPARTMENTS = [
    "Văn phòng UBND tỉnh", "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Xây dựng", "Sở Công Thương",
    "Sở Nông nghiệp và Môi trường", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ", "Thanh tra tỉnh",
    "Ban Quản lý các khu công nghiệp", "Sở Giao thông vận tải", "Sở Lao động - Thương binh và Xã hội",
    "Sở Tài nguyên và Môi trường", "Sở Kế hoạch và Đầu tư", "Sở Thông tin và Truyền thông",
]
SECTIONS = ["Văn phòng", "Phòng Nghiệp vụ", "Phòng Hành chính - Tổng hợp", "Phòng Pháp chế"]
PLACE_WORDS = [
    "An", "Bình", "Phú", "Hòa", "Tân", "Thạnh", "Long", "Phước", "Mỹ", "Hưng", "Lợi", "Đông", "Tây", "Nam",
    "Bắc", "Trung", "Sơn", "Thủy", "Hải", "Quang", "Minh", "Vĩnh", "Thái", "Thuận", "Đức", "Lộc", "Hiệp",
    "Thịnh", "Xuân", "Hà", "Lạc", "Khánh", "Định", "Lâm", "Điền", "Yên", "Phong", "Cường", "Nghĩa", "Trạch",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Phan", "Võ", "Huỳnh"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Đức", "Thanh", "Ngọc", "Hữu", "Thị Kim", "Gia", "Bảo"]
GIVEN = [
    "An", "Bích", "Châu", "Dũng", "Duyên", "Giang", "Hằng", "Hiếu", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam",
    "Ngọc", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Uyên", "Việt", "Yến", "Khoa", "Linh", "Nhung",
]
COMPANIES = ["Công ty TNHH", "Công ty cổ phần", "Hộ kinh doanh", "Hợp tác xã"]
SUBJECTS = [
    "Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Chứng thực bản sao từ bản chính",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Cấp giấy chứng nhận quyền sử dụng đất", "Đăng ký hộ kinh doanh",
    "Cấp phiếu lý lịch tư pháp", "Cấp giấy phép kinh doanh bán lẻ rượu", "Đăng ký thành lập doanh nghiệp",
    "Cấp giấy phép lái xe", "Cấp chứng chỉ hành nghề", "Thẩm định thiết kế cơ sở", "Cấp giấy phép môi trường",
    "Giải quyết chế độ trợ cấp xã hội", "Xác nhận tình trạng hôn nhân", "Đăng ký thường trú",
    "Cấp giấy chứng nhận an toàn thực phẩm", "Công nhận trường đạt chuẩn quốc gia", "Cấp giấy phép lao động",
    "Đăng ký biến động đất đai", "Thu hồi giấy chứng nhận", "Cấp giấy phép quảng cáo", "Đăng ký tạm trú",
    "Hỗ trợ học nghề", "Cấp thẻ bảo hiểm y tế", "Giải quyết khiếu nại lần đầu", "Tiếp công dân",
]
MANAGEMENT = [
    "Kiểm soát tài liệu", "Kiểm soát hồ sơ", "Đánh giá nội bộ", "Hành động khắc phục", "Xem xét của lãnh đạo",
    "Kiểm soát sự không phù hợp", "Quản lý rủi ro và cơ hội", "Đo lường sự hài lòng",
]
CHANNELS = ["in_person", "post", "online"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--recreate", action="store_true", help="drop the database first if it exists")
    return parser.parse_args()


def ensure_database(url: str, recreate: bool) -> None:
    """Create the database of ``url`` (dropping it first with ``recreate``) through the server's
    ``postgres`` maintenance database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


class Meter:
    """Rows written per table and how long it took."""

    def __init__(self):
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def add(self, table: str, rows: int, seconds: float) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds

    def line(self, table: str) -> str:
        rows, seconds = self.rows[table], max(self.seconds[table], 1e-9)
        return f"{table:<34} {rows:>12,} rows {seconds:>9.1f} s {rows / seconds:>12,.0f} rows/s"

    def report(self) -> None:
        print(f"\n{'table':<34} {'rows':>17} {'seconds':>11} {'rows/s':>19}")
        for table in self.rows:
            print(self.line(table))
        total_rows, total_seconds = sum(self.rows.values()), sum(self.seconds.values())
        print(f"{'all tables':<34} {total_rows:>12,} rows {total_seconds:>9.1f} s {total_rows / total_seconds:>12,.0f} rows/s")


class WorkingClock:
    """The working calendar as a line of working seconds, for whole-second epoch timestamps.

    ``position(t)`` is the working time elapsed from the first day to ``t``; ``add`` and
    ``between`` are then a subtraction and a binary search, and give the same moments as
    ``iso.calendar.WorkingCalendar.add_working_seconds`` and ``working_seconds_between``
    (``check`` compares them on samples).
    """

    def __init__(self, calendar, first: datetime.date, last: datetime.date):
        self.calendar = calendar
        self.starts, self.ends, self.cum, self.cum_end = [], [], [], []
        self.day_starts, self.day_labels, self.day_years, self.day_dates = [], [], [], []
        total = 0
        day = first
        while day <= last:
            midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=calendar.tz)
            self.day_starts.append(int(midnight.timestamp()))
            self.day_labels.append(day.strftime("%y%m%d"))
            self.day_years.append(day.year)
            self.day_dates.append(day)
            for begin, end in calendar.periods(day):
                start_ts, end_ts = int(begin.timestamp()), int(end.timestamp())
                self.starts.append(start_ts)
                self.ends.append(end_ts)
                self.cum.append(total)
                total += end_ts - start_ts
                self.cum_end.append(total)
            day += datetime.timedelta(days=1)
        self.total = total

    def position(self, t: int) -> int:
        k = bisect.bisect_right(self.starts, t) - 1
        if k < 0:
            return 0
        return self.cum[k] + min(t - self.starts[k], self.ends[k] - self.starts[k])

    def moment(self, w: int) -> int:
        """The earliest moment at which ``w`` working seconds have elapsed."""
        k = bisect.bisect_left(self.cum_end, w)
        return self.starts[k] + (w - self.cum[k])

    def add(self, t: int, seconds: int) -> int:
        if seconds <= 0:
            return t
        return self.moment(self.position(t) + seconds)

    def between(self, a: int, b: int) -> int:
        return self.position(b) - self.position(a)

    def day(self, t: int) -> int:
        """Index of the local day of ``t``."""
        return bisect.bisect_right(self.day_starts, t) - 1

    def timing(self, finished: int, due: int) -> str:
        """cases.services.classify_timing on timestamps."""
        if finished > due:
            return "late"
        if self.day(finished) < self.day(due):
            return "early"
        return "on_time"

    def check(self, rng: random.Random, samples: int = 2000) -> None:
        """Compare with WorkingCalendar on random moments and amounts; raise on the first difference."""
        from cases.services import classify_timing

        cal = self.calendar
        for _ in range(samples):
            t = rng.randrange(self.starts[0], self.starts[-1] - 400 * 86400)
            seconds = rng.choice([0, 1800, 3600, 13500, 27000, 81000, 270000, rng.randrange(1, 400000)])
            here = datetime.datetime.fromtimestamp(t, UTC)
            expected = cal.add_working_seconds(here, seconds)
            got = self.add(t, seconds)
            if int(expected.timestamp()) != got:
                raise AssertionError(f"add({here}, {seconds}) = {datetime.datetime.fromtimestamp(got, UTC)}, calendar says {expected}")
            other = t + rng.randrange(0, 40 * 86400)
            there = datetime.datetime.fromtimestamp(other, UTC)
            if int(cal.working_seconds_between(here, there)) != self.between(t, other):
                raise AssertionError(f"between({here}, {there}) differs")
            if classify_timing(there, expected, cal.tz) != self.timing(other, got):
                raise AssertionError(f"timing({there}, {expected}) differs")


def at(t: int | None) -> datetime.datetime | None:
    return None if t is None else datetime.datetime.fromtimestamp(t, UTC)


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f}"


@dataclass
class RevisionRules:
    """What a case needs from its revision, as plain numbers: the main path and its allowances."""

    revision_id: int
    effective_from: int  # timestamp of the local midnight it came into force
    path: list[tuple[int, str, int]]  # (step id, code, allowed working seconds) of the steps before the end
    refusal_id: int
    total: int
    actions: list[str]


@dataclass
class ProcedurePlan:
    procedure_id: int
    code: str
    owner_unit_id: int
    #: Units that receive its cases: the owner, or the communes of a district for commune-level procedures.
    receiving_units: list[int]
    revisions: list[RevisionRules] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def rules_at(self, t: int) -> RevisionRules:
        return self.revisions[max(bisect.bisect_right(self.starts, t) - 1, 0)]


class Province:
    def __init__(self, *, scale: float, years: int, seed: int, meter: Meter):
        from django.utils import timezone

        from iso.calendar import WorkingCalendar

        self.scale = scale
        self.years = years
        self.rng = random.Random(seed)
        self.meter = meter
        self.now = int(timezone.now().timestamp())
        self.today = timezone.localdate()
        self.first_day = self.today.replace(month=1, day=1, year=self.today.year - years + 1)
        self.calendar_days()
        self.calendar = WorkingCalendar.load()
        self.clock = WorkingClock(self.calendar, self.first_day - datetime.timedelta(days=400), self.today + datetime.timedelta(days=800))
        self.clock.check(self.rng)

    # Organisation ------------------------------------------------------------------------

    def timed_bulk(self, model, objs, batch_size=5000):
        started = time.perf_counter()
        created = model.objects.bulk_create(objs, batch_size=batch_size)
        self.meter.add(model._meta.db_table, len(objs), time.perf_counter() - started)
        return created

    def calendar_days(self) -> None:
        """Vietnam's public holidays of every year generated (Tết dates as published)."""
        from iso.models import CalendarDay

        tet = {2015: "02-19", 2016: "02-08", 2017: "01-28", 2018: "02-16", 2019: "02-05", 2020: "01-25", 2021: "02-12",
               2022: "02-01", 2023: "01-22", 2024: "02-10", 2025: "01-29", 2026: "02-17", 2027: "02-06", 2028: "01-26",
               2029: "02-13"}
        existing = set(CalendarDay.objects.values_list("date", flat=True))
        days = []
        for year in range(self.first_day.year - 1, self.today.year + 3):
            fixed = [(f"{year}-01-01", "Tết Dương lịch"), (f"{year}-04-30", "Ngày Giải phóng miền Nam"),
                     (f"{year}-05-01", "Ngày Quốc tế Lao động"), (f"{year}-09-02", "Quốc khánh"), (f"{year}-09-03", "Quốc khánh")]
            if year in tet:
                first = datetime.date.fromisoformat(f"{year}-{tet[year]}")
                fixed += [((first + datetime.timedelta(days=n)).isoformat(), "Tết Nguyên đán") for n in range(-1, 4)]
            for date, name in fixed:
                date = datetime.date.fromisoformat(date)
                if date not in existing and date.weekday() < 5:
                    days.append(CalendarDay(date=date, kind=CalendarDay.Kind.HOLIDAY, name=name))
                    existing.add(date)
        self.timed_bulk(CalendarDay, days)

    def organisation(self) -> None:
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from iso.models import OrgUnit, Role, User

        rng = self.rng
        total = max(40, round(500 * self.scale))
        departments = max(4, round(20 * self.scale)) if self.scale < 1 else 20
        districts = max(2, round(12 * self.scale)) if self.scale < 1 else 12
        sections_each = 2
        communes = total - 1 - departments * (1 + sections_each) - 1 - districts
        rows = [("T", "UBND tỉnh Quang Trung", OrgUnit.Kind.AGENCY, None)]
        rows.append(("TTHCC", "Trung tâm Phục vụ hành chính công tỉnh", OrgUnit.Kind.SECTION, "T"))
        for d in range(departments):
            code = f"S{d + 1:02d}"
            rows.append((code, DEPARTMENTS[d % len(DEPARTMENTS)] + ("" if d < len(DEPARTMENTS) else f" {d + 1}"),
                         OrgUnit.Kind.DEPARTMENT, "T"))
            for s in range(sections_each):
                rows.append((f"{code}-P{s + 1}", f"{SECTIONS[s]} {DEPARTMENTS[d % len(DEPARTMENTS)]}", OrgUnit.Kind.SECTION, code))
        used_names = set()

        def place():
            while True:
                name = f"{rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)}"
                if name not in used_names and name.split()[0] != name.split()[1]:
                    used_names.add(name)
                    return name

        district_codes = [f"H{h + 1:02d}" for h in range(districts)]
        for code in district_codes:
            rows.append((code, f"UBND huyện {place()}", OrgUnit.Kind.DISTRICT, "T"))
        for c in range(communes):
            district = district_codes[c % districts]
            rows.append((f"{district}-X{c // districts + 1:02d}", f"UBND xã {place()}", OrgUnit.Kind.COMMUNE, district))
        units: dict[str, OrgUnit] = {}
        started = time.perf_counter()
        # Parents first, so each row knows its parent's id: one bulk insert per level.
        for level in (lambda p: p is None, lambda p: p == "T", lambda p: p not in (None, "T")):
            batch = [OrgUnit(code=code, name=name, kind=kind, parent=units.get(parent))
                     for code, name, kind, parent in rows if level(parent)]
            for unit in OrgUnit.objects.bulk_create(batch):
                units[unit.code] = unit
        self.meter.add("iso_orgunit", len(units), time.perf_counter() - started)
        self.units = units
        self.unit_kind = {u.pk: u.kind for u in units.values()}
        self.communes_of = {}
        for unit in units.values():
            if unit.kind == OrgUnit.Kind.COMMUNE:
                self.communes_of.setdefault(unit.parent_id, []).append(unit.pk)

        password = make_password(PASSWORD)
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        people: list[tuple[User, list[str]]] = []

        def person(username, unit, title, roles, is_staff=False):
            full = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            people.append((User(username=username, full_name=full, job_title=title, unit=unit, password=password,
                                email=f"{username}@quangtrung.example.gov.vn", is_staff=is_staff), roles))

        person("thuky", units["S01"], "Chuyên viên Văn phòng UBND tỉnh, Thư ký ISO", [Role.ISO_SECRETARY], is_staff=True)
        person("lanhdao", units["T"], "Phó Chủ tịch UBND tỉnh, Trưởng Ban chỉ đạo ISO", [Role.APPROVER])
        person("lanhdao2", units["S01"], "Chánh Văn phòng UBND tỉnh", [Role.APPROVER, Role.PROCESS_OWNER])
        person("xem", units["H01"], "Chuyên viên UBND huyện", [Role.VIEWER])
        for n in range(max(4, round(20 * self.scale))):
            department = units[f"S{n % departments + 1:02d}"]
            person(f"danhgia{n + 1:02d}", department, "Chuyên gia đánh giá nội bộ", [Role.INTERNAL_AUDITOR])
        for unit in units.values():
            if unit.code == "T":
                continue
            slug = unit.code.lower().replace("-", ".")
            if unit.kind in (OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.DISTRICT):
                person(f"qt.{slug}", unit, "Trưởng phòng, chủ quy trình", [Role.PROCESS_OWNER])
            person(f"cb.{slug}", unit, "Công chức tiếp nhận và trả kết quả", [Role.STAFF])
            person(f"cb2.{slug}", unit, "Chuyên viên thụ lý hồ sơ", [Role.STAFF])
        # The staff login of the load test and the tour: a commune's one-stop shop.
        first_commune = next(u for u in units.values() if u.kind == OrgUnit.Kind.COMMUNE)
        person("canbo", first_commune, "Công chức Văn phòng - Thống kê (Bộ phận Một cửa)", [Role.STAFF])
        started = time.perf_counter()
        created = User.objects.bulk_create([user for user, _roles in people], batch_size=2000)
        links = [User.groups.through(user_id=user.pk, group_id=groups[role].pk)
                 for user, (_u, roles) in zip(created, people, strict=True) for role in roles]
        User.groups.through.objects.bulk_create(links, batch_size=5000)
        self.meter.add("iso_user (+ roles)", len(created) + len(links), time.perf_counter() - started)
        self.users = {user.username: user for user in created}
        self.staff_of: dict[int, list[int]] = {}
        self.owner_of: dict[int, int] = {}
        for user, (_u, roles) in zip(created, people, strict=True):
            if Role.STAFF in roles:
                self.staff_of.setdefault(user.unit_id, []).append(user.pk)
            if Role.PROCESS_OWNER in roles:
                self.owner_of.setdefault(user.unit_id, user.pk)
        self.auditors = [u for u in created if u.username.startswith("danhgia")]

    # Procedures --------------------------------------------------------------------------

    def procedures(self) -> None:
        from processes.models import Procedure, ProcedureRevision, Step, StepEdge

        rng = self.rng
        count = max(40, round(2000 * self.scale))
        departments = [u for u in self.units.values() if u.kind in ("department", "section")]
        districts = [u for u in self.units.values() if u.kind == "district"]
        secretary, approver = self.users["thuky"], self.users["lanhdao"]
        procedures, plans = [], []
        for n in range(count):
            if n < len(MANAGEMENT):
                owner, category, title, receiving = self.units["S01"], Procedure.Category.MANAGEMENT, MANAGEMENT[n], []
            else:
                kind = rng.random()
                if kind < 0.55:
                    owner = rng.choice(departments)
                    receiving = [owner.pk]
                elif kind < 0.7:
                    owner = rng.choice(districts)
                    receiving = [owner.pk]
                else:
                    owner = rng.choice(districts)
                    receiving = self.communes_of.get(owner.pk) or [owner.pk]
                category = Procedure.Category.ADMINISTRATIVE
                title = f"{rng.choice(SUBJECTS)} ({owner.name})"
            procedures.append(Procedure(code=f"QT-{n + 1:04d}", title=title[:300], owner_unit=owner, category=category,
                                        created_at=at(self.clock.day_starts[0])))
            plans.append(receiving)
        procedures = self.timed_bulk(Procedure, procedures)

        first_ts = int(datetime.datetime.combine(self.first_day, datetime.time.min, tzinfo=self.calendar.tz).timestamp())
        revisions, specs = [], []
        for procedure, receiving in zip(procedures, plans, strict=True):
            author_id = self.owner_of.get(procedure.owner_unit_id, secretary.pk)
            numbers = rng.choices([1, 2, 3], weights=[5, 3, 2])[0]
            days = sorted(rng.randrange(200, (self.today - self.first_day).days - 30) for _ in range(numbers - 1))
            starts = [self.first_day - datetime.timedelta(days=rng.randrange(30, 365))] + [
                self.first_day + datetime.timedelta(days=d) for d in days
            ]
            limit = rng.choice([1, 2, 3, 3, 5, 5, 7, 10, 15])
            for number, start in enumerate(starts, start=1):
                last = number == len(starts)
                ended = None if last else starts[number]
                revisions.append(ProcedureRevision(
                    procedure=procedure, number=number,
                    state=ProcedureRevision.State.EFFECTIVE if last else ProcedureRevision.State.SUPERSEDED,
                    purpose=f"Quy định trình tự, thủ tục {procedure.title.lower()}.",
                    scope="Áp dụng đối với cán bộ, công chức tham gia giải quyết thủ tục hành chính.",
                    content="Thành phần hồ sơ, số lượng, thời hạn giải quyết, nơi tiếp nhận, phí, lệ phí.",
                    change_summary="Ban hành lần đầu" if number == 1 else "Rút ngắn thời hạn giải quyết theo quyết định công bố mới",
                    author_id=author_id, approved_by_id=approver.pk if approver.pk != author_id else self.users["lanhdao2"].pk,
                    approved_at=at(int(datetime.datetime.combine(start, datetime.time(9), tzinfo=self.calendar.tz).timestamp()) - 5 * 86400),
                    published_by=secretary, effective_from=start, ended_on=ended,
                    created_at=at(int(datetime.datetime.combine(start, datetime.time(9), tzinfo=self.calendar.tz).timestamp()) - 30 * 86400),
                ))
                specs.append((procedure, receiving, start, max(1, limit - (number - 1))))
            if rng.random() < 0.05 and procedure.category != Procedure.Category.MANAGEMENT:
                revisions.append(ProcedureRevision(procedure=procedure, number=len(starts) + 1,
                                                   state=ProcedureRevision.State.DRAFT, author_id=author_id,
                                                   change_summary="Cập nhật theo văn bản mới"))
                specs.append(None)
        revisions = self.timed_bulk(ProcedureRevision, revisions)

        steps, edges_spec = [], []
        for revision, spec in zip(revisions, specs, strict=True):
            limit = spec[3] if spec else 3
            hours_based = revision.procedure_id % 11 == 0
            rows = [
                ("B1", Step.Kind.START, "Tiếp nhận, kiểm tra hồ sơ", "4" if not hours_based else "2", "working_hours"),
                ("B2", Step.Kind.TASK, "Thẩm định, xử lý hồ sơ", str(limit) if not hours_based else str(limit * 4),
                 "working_days" if not hours_based else "working_hours"),
                ("B3", Step.Kind.TASK, "Trình ký, phê duyệt kết quả", "1", "working_days" if not hours_based else "working_hours"),
                ("B4", Step.Kind.END, "Trả kết quả cho công dân", "0", "working_days"),
                ("TC", Step.Kind.REFUSAL, "Từ chối, trả lại hồ sơ", "0", "working_days"),
            ]
            for position, (code, kind, name, amount, unit) in enumerate(rows):
                steps.append(Step(revision=revision, code=code, position=position, kind=kind, name=name,
                                  time_limit=amount, time_unit=unit))
        steps = self.timed_bulk(Step, steps)
        by_revision: dict[int, dict[str, Step]] = {}
        for step in steps:
            by_revision.setdefault(step.revision_id, {})[step.code] = step
        moves = [("B1", "B2", "Chuyển thẩm định"), ("B2", "B3", "Trình ký"), ("B3", "B4", "Trả kết quả"),
                 ("B2", "TC", "Từ chối"), ("B1", "TC", "Không đủ điều kiện tiếp nhận")]
        edges = [StepEdge(revision_id=rid, source=s[a], target=s[b], action=action)
                 for rid, s in by_revision.items() for a, b, action in moves]
        self.timed_bulk(StepEdge, edges)

        self.plans: list[ProcedurePlan] = []
        plan_by_procedure: dict[int, ProcedurePlan] = {}
        for revision, spec in zip(revisions, specs, strict=True):
            if spec is None:
                continue
            procedure, receiving, start, _limit = spec
            if not receiving:
                continue
            plan = plan_by_procedure.get(procedure.pk)
            if plan is None:
                plan = plan_by_procedure[procedure.pk] = ProcedurePlan(procedure.pk, procedure.code, procedure.owner_unit_id, receiving)
                self.plans.append(plan)
            s = by_revision[revision.pk]
            seconds = {code: int(self.calendar.to_working_seconds(step.time_limit, step.time_unit)) for code, step in s.items()}
            path = [(s[c].pk, c, seconds[c]) for c in ("B1", "B2", "B3")]
            effective = int(datetime.datetime.combine(start, datetime.time.min, tzinfo=self.calendar.tz).timestamp())
            plan.revisions.append(RevisionRules(revision.pk, effective, path, s["TC"].pk, sum(x[2] for x in path),
                                                [a for _s, _t, a in moves[:3]]))
            plan.starts.append(effective)
        self.check_rules(revisions)
        print(f"{len(procedures):,} procedures, {len(revisions):,} revisions, {len(steps):,} steps, {len(edges):,} moves")

    def check_rules(self, revisions) -> None:
        """The due-date basis of a sample of revisions, against cases.services.RuleBook."""
        from cases.services import RuleBook
        from processes.models import ProcedureRevision

        rules = {r.revision_id: r for plan in self.plans for r in plan.revisions}
        for revision in ProcedureRevision.objects.filter(pk__in=list(rules)[:: max(len(rules) // 25, 1)]):
            book = RuleBook.for_revision(revision, self.calendar)
            mine = rules[revision.pk]
            if int(book.total_seconds) != mine.total or book.main_path[:3] != [c for _p, c, _s in mine.path]:
                raise AssertionError(f"revision {revision.pk}: RuleBook {book.total_seconds} {book.main_path}, generator {mine.total}")

    # Cases -------------------------------------------------------------------------------

    CASE_COLUMNS = ("id", "reference", "procedure_id", "revision_id", "year", "sequence", "unit_id", "state",
                    "applicant_name", "applicant_kind", "applicant_contact", "channel", "received_by_id", "received_at",
                    "due_at", "current_step_id", "assignee_id", "resolved_at", "timing", "paused_hours", "outcome_note")
    VISIT_COLUMNS = ("case_id", "step_id", "handler_id", "entered_at", "due_at", "left_at", "left_by_id", "action",
                     "hours_spent", "hours_allowed", "timing")
    SUPPLEMENT_COLUMNS = ("case_id", "step_id", "missing", "requested_at", "requested_by_id", "received_at")
    APOLOGY_COLUMNS = ("case_id", "reason", "new_due_at", "issued_at", "issued_by_id", "in_good_time")
    LOADED = ("cases_case", "cases_stepvisit", "cases_supplementrequest", "cases_apology")

    def check_columns(self) -> None:
        from cases.models import Apology, Case, StepVisit, SupplementRequest

        for model, columns in ((Case, self.CASE_COLUMNS), (StepVisit, ("id", *self.VISIT_COLUMNS)),
                               (SupplementRequest, ("id", *self.SUPPLEMENT_COLUMNS)), (Apology, ("id", *self.APOLOGY_COLUMNS))):
            actual = {f.column for f in model._meta.concrete_fields}
            if actual != set(columns):
                raise SystemExit(f"{model._meta.db_table} has columns {sorted(actual ^ set(columns))} the generator does not know")

    def set_aside(self, cursor) -> list[str]:
        """Drop the secondary indexes, constraints other than the primary keys, and disable the user
        triggers of the loaded tables; return the statements that put them back."""
        restore = []
        for table in self.LOADED:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype <> 'p'",
                [table])
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
            indexes = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                restore.append(definition)
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            restore.append(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return restore

    def cases(self) -> None:
        from django.db import connection, transaction

        self.check_columns()
        rng = self.rng
        clock = self.clock
        target = round(5_000_000 * self.scale)
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(self.plans))]
        rng.shuffle(weights)
        cum_weights = list(__import__("itertools").accumulate(weights))
        # Months from the first day to now, each weighted by its working time and a 6 % yearly growth.
        months = []
        month = self.first_day
        now_day = datetime.datetime.fromtimestamp(self.now, self.calendar.tz).date()
        while month <= now_day:
            nxt = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            begin = int(datetime.datetime.combine(month, datetime.time.min, tzinfo=self.calendar.tz).timestamp())
            end = min(int(datetime.datetime.combine(nxt, datetime.time.min, tzinfo=self.calendar.tz).timestamp()), self.now)
            months.append((begin, end, clock.between(begin, end) * 1.06 ** (month.year - self.first_day.year)))
            month = nxt
        weight_sum = sum(w for _b, _e, w in months)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            next_id = cursor.fetchone()[0] + 1
            cursor.execute("SET synchronous_commit TO off")
            with transaction.atomic():
                restore = self.set_aside(cursor)
        self.sequences: dict[tuple[int, int], int] = {}
        self.late_cases: list[int] = []
        written = 0
        started_all = time.perf_counter()
        for index, (begin, end, weight) in enumerate(months):
            count = round(target * weight / weight_sum) if index < len(months) - 1 else target - written
            batch = CaseBatch()
            w_begin, w_end = clock.position(begin), clock.position(end)
            moments = sorted(clock.moment(rng.randint(w_begin + 1, w_end)) for _ in range(count)) if w_end > w_begin else []
            chosen = rng.choices(self.plans, cum_weights=cum_weights, k=len(moments))
            started = time.perf_counter()
            for t, plan in zip(moments, chosen, strict=True):
                self.simulate(batch, next_id, t, plan)
                next_id += 1
            simulated = time.perf_counter() - started
            self.copy(batch, simulated)
            written += len(moments)
            if index % 12 == 11 or index == len(months) - 1:
                elapsed = time.perf_counter() - started_all
                print(f"  {written:,} cases written ({written / elapsed:,.0f} cases/s with their rows)", flush=True)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in restore:
                cursor.execute(statement)
            cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [next_id])
        self.meter.add("indexes and constraints put back", written, time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE: {time.perf_counter() - started:.1f} s")

    def simulate(self, batch: "CaseBatch", case_id: int, received: int, plan: ProcedurePlan) -> None:
        """One case along its revision's main path, as cases.demo simulates them, on timestamps."""
        rng, clock, now = self.rng, self.clock, self.now
        rules = plan.rules_at(received)
        unit = plan.receiving_units[0] if len(plan.receiving_units) == 1 else rng.choice(plan.receiving_units)
        clerks = self.staff_of.get(unit) or self.staff_of[self.units["TTHCC"].pk]
        clerk = rng.choice(clerks)
        day = clock.day(received)
        year = clock.day_years[day]
        key = (plan.procedure_id, year)
        sequence = self.sequences[key] = self.sequences.get(key, 0) + 1
        roll = rng.random()
        late = roll < 0.04
        supplemented = 0.04 <= roll < 0.10
        refused = 0.10 <= roll < 0.13
        withdrawn = 0.13 <= roll < 0.145
        stalled = received > now - 30 * 86400 and rng.random() < 0.25
        if rng.random() < 0.12:
            applicant, kind = f"{rng.choice(COMPANIES)} {rng.choice(PLACE_WORDS)} {rng.choice(PLACE_WORDS)}", "organisation"
        else:
            applicant, kind = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", "person"
        due = clock.add(received, rules.total)
        state, current, assignee, resolved, timing, paused, note = "received", None, None, None, "", 0, ""
        visits, supplement = [], None
        moment = received
        path = rules.path
        late_step = rng.randrange(len(path)) if late else -1
        finished = True
        for index, (step_id, _code, allowed) in enumerate(path):
            visit_due = clock.add(moment, allowed)
            factor = rng.uniform(1.3, 3.0) if index == late_step else rng.uniform(0.15, 0.95)
            spent = max(int(allowed * factor), 600)
            waited = 0
            if supplemented and index == 1:
                asked = clock.add(moment, spent // 2)
                resumed = clock.add(asked, int(rng.uniform(1, 6) * 27000))
                if resumed > now:
                    supplement = (step_id, asked, None)
                    visits.append([step_id, moment, visit_due, None, None, "", None, allowed, ""])
                    state, current, assignee = "waiting_supplement", step_id, clerk
                    finished = False
                    break
                supplement = (step_id, asked, resumed)
                waited = clock.between(asked, resumed)
                paused = waited
                due = clock.add(resumed, rules.total)
                visit_due = clock.add(resumed, allowed)
            left = clock.add(moment, spent + waited)
            if left > now or (index == 1 and (withdrawn or stalled)):
                if withdrawn and left <= now:
                    visits.append([step_id, moment, visit_due, left, clerk, "Rút hồ sơ",
                                   clock.between(moment, left) - waited, allowed, clock.timing(left, visit_due)])
                    state, note = "withdrawn", "Công dân xin rút hồ sơ"
                else:
                    visits.append([step_id, moment, visit_due, None, None, "", None, allowed, ""])
                    state, current, assignee = ("received" if index == 0 else "in_progress"), step_id, clerk
                finished = False
                break
            spent_net = clock.between(moment, left) - waited
            if refused and index == 1:
                visits.append([step_id, moment, visit_due, left, clerk, "Từ chối", spent_net, allowed, clock.timing(left, visit_due)])
                state, resolved, timing, note = "rejected", left, clock.timing(left, due), "Hồ sơ không đủ điều kiện"
                finished = False
                break
            visits.append([step_id, moment, visit_due, left, clerk, rules.actions[index], spent_net, allowed,
                           clock.timing(left, visit_due)])
            state = "in_progress"
            moment = left
        if finished:
            state, resolved, timing = "completed", moment, clock.timing(moment, due)
        reference = f"{plan.code}-{clock.day_labels[day]}-{sequence:04d}"
        batch.cases.append((
            case_id, reference, plan.procedure_id, rules.revision_id, year, sequence, unit, state, applicant, kind,
            f"09{rng.randrange(10**8):08d}", CHANNELS[rng.randrange(3)], clerk, at(received), at(due), current, assignee,
            at(resolved), timing, hours(paused), note,
        ))
        for step_id, entered, visit_due, left, left_by, action, spent, allowed, visit_timing in visits:
            batch.visits.append((case_id, step_id, clerk, at(entered), at(visit_due), at(left), left_by, action,
                                 None if spent is None else hours(spent), hours(allowed), visit_timing))
        if supplement:
            step_id, asked, resumed = supplement
            batch.supplements.append((case_id, step_id, "Bản sao giấy tờ tùy thân có chứng thực; tờ khai có chữ ký",
                                      at(asked), clerk, at(resumed)))
        if timing == "late":
            issued = min(clock.add(received, rules.total // 2), resolved)
            batch.apologies.append((case_id, "Hồ sơ cần xác minh thêm với cơ quan liên quan", at(clock.add(due, 2 * 27000)),
                                    at(issued), clerk, clock.between(issued, due) >= 27000))
            if len(self.late_cases) < 20000:
                self.late_cases.append(case_id)

    def copy(self, batch: "CaseBatch", simulated: float) -> None:
        from django.db import connection, transaction

        tables = (("cases_case", self.CASE_COLUMNS, batch.cases), ("cases_stepvisit", self.VISIT_COLUMNS, batch.visits),
                  ("cases_supplementrequest", self.SUPPLEMENT_COLUMNS, batch.supplements),
                  ("cases_apology", self.APOLOGY_COLUMNS, batch.apologies))
        total_rows = sum(len(rows) for _t, _c, rows in tables)
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns, rows in tables:
                started = time.perf_counter()
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                # The Python simulation's time is shared out over the rows it produced.
                self.meter.add(table, len(rows), time.perf_counter() - started + simulated * len(rows) / max(total_rows, 1))

    # Audits ------------------------------------------------------------------------------

    def audits(self) -> None:
        from django.conf import settings

        from audits.models import (
            Audit, AuditProgramme, ChecklistItem, CorrectiveAction, Finding, Nonconformity,
        )
        from iso.models import Clause, OrgUnit

        rng = self.rng
        tz = self.calendar.tz
        clauses = list(Clause.objects.filter(number__contains=".").values_list("pk", flat=True))
        secretary, approver = self.users["thuky"], self.users["lanhdao"]
        findings_target = round(50_000 * self.scale)
        nc_target = round(50_000 * self.scale)
        audits_per_year = max(3, round(100 * self.scale))
        descendants = {}
        for unit in self.units.values():
            descendants[unit.pk] = OrgUnit.objects.with_descendants([unit.pk]) if unit.kind in ("department", "district") else {unit.pk}
        tops = [u for u in self.units.values() if u.kind in ("department", "district")]
        procedures_of: dict[int, list[int]] = {}
        for plan in self.plans:
            procedures_of.setdefault(plan.owner_unit_id, []).append(plan.procedure_id)

        def moment(day: datetime.date, hour=9) -> datetime.datetime:
            return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

        programmes = self.timed_bulk(AuditProgramme, [
            AuditProgramme(
                year=year, title=f"Chương trình đánh giá nội bộ năm {year}",
                objectives="Đánh giá sự phù hợp và hiệu lực của hệ thống quản lý chất lượng theo TCVN ISO 9001:2015.",
                state=AuditProgramme.State.COMPLETED if year < self.today.year else AuditProgramme.State.IN_PROGRESS,
                created_by=secretary, approved_by=approver, approved_at=moment(datetime.date(year, 1, 15)),
            )
            for year in range(self.first_day.year, self.today.year + 1)
        ])
        audits, scopes = [], []
        for programme in programmes:
            for n in range(audits_per_year):
                top = rng.choice(tops)
                covered = [top.pk] + rng.sample(sorted(descendants[top.pk] - {top.pk}), k=min(2, len(descendants[top.pk]) - 1))
                reach = set().union(*(descendants[u] for u in covered))
                eligible = [a for a in self.auditors if a.unit_id not in reach]
                lead, *team = rng.sample(eligible, k=min(3, len(eligible)))
                start = datetime.date(programme.year, 2, 1) + datetime.timedelta(days=round(300 * n / audits_per_year))
                if start > self.today + datetime.timedelta(days=20):
                    state = Audit.State.PLANNED
                elif start > self.today:
                    state = Audit.State.PREPARED
                elif start > self.today - datetime.timedelta(days=7):
                    state = Audit.State.IN_PROGRESS
                elif start > self.today - datetime.timedelta(days=45):
                    state = Audit.State.REPORTED
                else:
                    state = Audit.State.CLOSED
                reported = state in (Audit.State.REPORTED, Audit.State.CLOSED)
                audits.append(Audit(
                    programme=programme, reference=f"ĐG-{programme.year}-{n + 1:02d}",
                    title=f"Đánh giá nội bộ {self.units_by_pk(top.pk).name}", criteria="TCVN ISO 9001:2015; các quy trình của đơn vị",
                    planned_start=start, planned_end=start + datetime.timedelta(days=2), lead_auditor=lead, state=state,
                    summary="Hệ thống được duy trì; còn một số điểm không phù hợp cần khắc phục." if reported else "",
                    reported_at=moment(start + datetime.timedelta(days=5)) if reported else None,
                ))
                scopes.append((covered, team))
        audits = self.timed_bulk(Audit, audits)
        started = time.perf_counter()
        unit_links = [Audit.units.through(audit_id=a.pk, orgunit_id=u) for a, (covered, _t) in zip(audits, scopes, strict=True) for u in covered]
        team_links = [Audit.team.through(audit_id=a.pk, user_id=m.pk) for a, (_c, team) in zip(audits, scopes, strict=True) for m in team]
        Audit.units.through.objects.bulk_create(unit_links, batch_size=5000)
        Audit.team.through.objects.bulk_create(team_links, batch_size=5000)
        self.meter.add("audits_audit units and team", len(unit_links) + len(team_links), time.perf_counter() - started)

        items = []
        performed = [a for a in audits if a.state not in (Audit.State.PLANNED,)]
        for audit in performed:
            answered = audit.state != Audit.State.PREPARED
            for position in range(10):
                items.append(ChecklistItem(
                    audit=audit, position=position, clause_id=rng.choice(clauses),
                    question="Đơn vị có kiểm soát hồ sơ theo quy trình đã ban hành không?",
                    result=rng.choice(["conforms", "conforms", "conforms", "observation", "nonconformity"]) if answered else "",
                    evidence="Đã xem sổ theo dõi và hồ sơ lưu trữ." if answered else "",
                ))
        self.timed_bulk(ChecklistItem, items)

        scope_of = {audit.pk: scope for audit, scope in zip(audits, scopes, strict=True)}
        with_findings = [a for a in audits if a.state not in (Audit.State.PLANNED, Audit.State.PREPARED)]
        findings, finding_scope = [], []
        per_audit = findings_target / max(len(with_findings), 1)
        for index, audit in enumerate(with_findings):
            covered, _team = scope_of[audit.pk]
            share = round(per_audit * (index + 1)) - round(per_audit * index)
            closed = audit.state in (Audit.State.REPORTED, Audit.State.CLOSED)
            for number in range(1, share + 1):
                kind = rng.choices(["major", "minor", "observation", "improvement", "good_practice"], weights=[4, 36, 30, 20, 10])[0]
                unit = rng.choice(covered)
                procs = procedures_of.get(unit)
                day = audit.planned_start + datetime.timedelta(days=number % 3)
                findings.append(Finding(
                    audit=audit, number=number, kind=kind, clause_id=rng.choice(clauses), unit_id=unit,
                    procedure_id=rng.choice(procs) if procs else None,
                    statement="Hồ sơ giải quyết thủ tục hành chính không lưu đủ phiếu kiểm soát quá trình.",
                    evidence=f"Kiểm tra ngẫu nhiên hồ sơ lưu năm {audit.planned_start.year}.",
                    auditee_representative=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    response="Đơn vị ghi nhận và cải tiến." if closed and kind in ("observation", "improvement") else "",
                    recorded_by_id=audit.lead_auditor_id, recorded_at=moment(day, 10),
                ))
        findings = self.timed_bulk(Finding, findings)

        # Nonconformities: one per nonconformity finding, the rest from complaints, monitoring, inspections.
        raw = []
        for finding in findings:
            if finding.kind in ("major", "minor"):
                raw.append(dict(source="internal_audit", severity=finding.kind, unit_id=finding.unit_id, clause_id=finding.clause_id,
                                description=finding.statement, detected_by_id=finding.recorded_by_id,
                                detected_on=finding.recorded_at.astimezone(tz).date(), finding=finding, case_id=None))
        span = (self.today - self.first_day).days
        while len(raw) < nc_target:
            source = rng.choice(["complaint", "process_monitoring", "process_monitoring", "external_audit", "management_review"])
            case_id = rng.choice(self.late_cases) if source == "process_monitoring" and self.late_cases else None
            raw.append(dict(source=source, severity="minor" if rng.random() < 0.9 else "major", unit_id=rng.choice(tops).pk,
                            clause_id=rng.choice(clauses), description="Hồ sơ giải quyết quá hạn, chưa có phiếu xin lỗi đúng hạn."
                            if case_id else "Phản ánh của công dân về thái độ tiếp nhận hồ sơ.",
                            detected_by_id=secretary.pk, detected_on=self.first_day + datetime.timedelta(days=rng.randrange(span)),
                            finding=None, case_id=case_id))
        raw.sort(key=lambda r: r["detected_on"])
        numbers: dict[int, int] = {}
        ncs = []
        for row in raw:
            year = row["detected_on"].year
            numbers[year] = numbers.get(year, 0) + 1
            age = (self.today - row["detected_on"]).days
            owner = self.owner_of.get(row["unit_id"]) or rng.choice(self.staff_of.get(row["unit_id"], [secretary.pk]))
            if age > 180:
                state = rng.choices(["closed", "rejected", "in_action", "analysed"], weights=[90, 4, 4, 2])[0]
            else:
                state = rng.choice(["open", "analysed", "action_planned", "in_action", "awaiting_verification", "closed"])
            if row["finding"] is not None and state in ("rejected", "open"):
                state = "analysed"
            analysed = state not in ("open", "rejected")
            accepted = state in ("in_action", "awaiting_verification", "closed")
            detected = moment(row["detected_on"])
            ncs.append(Nonconformity(
                reference=f"NC-{year}-{numbers[year]:03d}", year=year, number=numbers[year], state=state,
                owner_id=owner if state != "open" or row["finding"] else None,
                due_date=row["detected_on"] + datetime.timedelta(days=60) if state != "open" or row["finding"] else None,
                correction="Đã bổ sung hồ sơ còn thiếu." if analysed else "",
                whys=["Chưa kiểm tra trước khi lưu", "Không có danh mục kiểm tra", "Quy trình chưa quy định"] if analysed else [],
                root_cause="Quy trình chưa quy định bước kiểm tra hồ sơ trước khi lưu." if analysed else "",
                extent="Rà soát các bộ phận khác: không phát hiện trường hợp tương tự." if analysed else "",
                plan_accepted_by_id=secretary.pk if accepted else None,
                plan_accepted_at=detected + datetime.timedelta(days=10) if accepted else None,
                rejection_reason="Không phải sự không phù hợp: hồ sơ đã được bổ sung đúng hạn." if state == "rejected" else "",
                closed_at=detected + datetime.timedelta(days=75) if state == "closed" else None,
                **row,
            ))
        ncs = self.timed_bulk(Nonconformity, ncs)

        delay = settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS
        actions, reissues = [], []
        for nc in ncs:
            if nc.state not in ("action_planned", "in_action", "awaiting_verification", "closed"):
                continue
            planned = moment(nc.detected_on + datetime.timedelta(days=7))
            verifiers = [a for a in self.auditors if a.pk != nc.owner_id]
            for number in range(1, rng.choice([1, 1, 2]) + 1):
                if nc.state == "action_planned":
                    state = "planned"
                elif nc.state == "in_action":
                    state = rng.choice(["planned", "in_progress", "done"])
                elif nc.state == "awaiting_verification":
                    state = "done"
                else:
                    state = "verified_effective"
                done = state in ("done", "verified_effective", "not_effective")
                failed = nc.state == "closed" and number == 1 and rng.random() < 0.05
                if failed:
                    state = "not_effective"
                action = CorrectiveAction(
                    nonconformity=nc, number=number, description="Bổ sung bước kiểm tra hồ sơ vào quy trình và tập huấn cán bộ.",
                    owner_id=nc.owner_id, due_date=nc.due_date, state=state,
                    completion_note="Đã sửa quy trình và tổ chức tập huấn." if done else "",
                    completed_at=planned + datetime.timedelta(days=20) if done else None,
                    verified_by_id=rng.choice(verifiers).pk if state in ("verified_effective", "not_effective") else None,
                    verified_at=planned + datetime.timedelta(days=20 + delay) if state in ("verified_effective", "not_effective") else None,
                    verification_note="Kiểm tra lại 20 hồ sơ: đạt." if state == "verified_effective" else
                    ("Vẫn còn hồ sơ thiếu phiếu kiểm soát." if state == "not_effective" else ""),
                )
                actions.append(action)
                if failed:
                    reissues.append((action, verifiers))
        actions = self.timed_bulk(CorrectiveAction, actions)
        counts: dict[int, int] = {}
        for action in actions:
            counts[action.nonconformity_id] = max(counts.get(action.nonconformity_id, 0), action.number)
        again = []
        for action, verifiers in reissues:
            counts[action.nonconformity_id] += 1
            again.append(CorrectiveAction(
                nonconformity_id=action.nonconformity_id, number=counts[action.nonconformity_id], reissue_of=action,
                description="Tái ban hành: kiểm tra chéo hồ sơ hằng tuần.", owner_id=action.owner_id,
                due_date=action.due_date + datetime.timedelta(days=45), state="verified_effective",
                completion_note="Đã kiểm tra chéo hằng tuần.", completed_at=action.verified_at + datetime.timedelta(days=20),
                verified_by_id=rng.choice(verifiers).pk, verified_at=action.verified_at + datetime.timedelta(days=20 + delay),
                verification_note="Không còn hồ sơ thiếu.",
            ))
        self.timed_bulk(CorrectiveAction, again)

    def units_by_pk(self, pk):
        if not hasattr(self, "_units_by_pk"):
            self._units_by_pk = {u.pk: u for u in self.units.values()}
        return self._units_by_pk[pk]


@dataclass
class CaseBatch:
    cases: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    supplements: list = field(default_factory=list)
    apologies: list = field(default_factory=list)


def main() -> None:
    args = parse_args()
    ensure_database(args.database_url, args.recreate)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from iso.models import OrgUnit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s; PostgreSQL {connection.pg_version}, scale {args.scale}")
    if OrgUnit.objects.exists():
        sys.exit("The database already holds an organisation: pass --recreate to start over.")
    meter = Meter()
    province = Province(scale=args.scale, years=args.years, seed=args.seed, meter=meter)
    for stage in (province.organisation, province.procedures, province.cases, province.audits):
        began = time.perf_counter()
        stage()
        print(f"{stage.__name__}: {time.perf_counter() - began:.1f} s", flush=True)
    try:
        began = time.perf_counter()
        call_command("rebuild_case_tallies", verbosity=0)
        meter.add("case tallies rebuilt (cases read)", sum(meter.rows.get(t, 0) for t in ("cases_case",)), time.perf_counter() - began)
    except CommandError:
        pass  # an older checkout without the aggregate tables
    meter.report()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"\ndone in {time.perf_counter() - started:.0f} s; database size {size}")
    print(f"logins (password {PASSWORD}): thuky (ISO secretary), lanhdao (approver), canbo (staff of a commune), "
          f"xem (viewer), danhgia01 (internal auditor), cb.<unit code> for each unit")


if __name__ == "__main__":
    main()
