"""The demo's quality objectives (see iso.demo), set and measured through the services as the ISO
secretary and the owners would.

This year's objectives read live from the demo's cases, nonconformities and audit programme, plus two
measured by hand with their monthly entries (one corrected). Last year's are measured the same way;
its training objective fell short, and the ISO secretary raised its nonconformity in one action.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from audits import services as audit_services
from iso.demo import DemoOrganisation
from iso.models import Role

from . import services
from .models import Objective

AT_MOST = Objective.Direction.AT_MOST

#: One dict per objective; "year" counts from this year. "values" are (month, value, note) entered by
#: the owner, each month once begun; "correct" re-enters a month, kept in the history of changes.
OBJECTIVES = [
    {"year": 0, "name": "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn đạt ≥ 98%", "target": "98",
     "indicator": "case_on_time_rate", "owner": "lanhdao2"},
    {"year": 0, "unit": "MC", "name": "Tỷ lệ hồ sơ tiếp nhận tại Bộ phận Một cửa huyện giải quyết đúng hạn ≥ 98%",
     "target": "98", "indicator": "case_on_time_rate", "owner": "canbo"},
    {"year": 0, "unit": "XAP", "name": "Tỷ lệ hồ sơ của UBND xã An Phú giải quyết đúng hạn ≥ 99%", "target": "99",
     "indicator": "case_on_time_rate", "owner": "chutich.anphu"},
    {"year": 0, "name": "Tỷ lệ điểm không phù hợp được khắc phục đúng hạn ≥ 90%", "target": "90",
     "indicator": "nonconformities_closed_on_time", "owner": "thuky"},
    {"year": 0, "name": "Hoàn thành 100% chương trình đánh giá nội bộ", "target": "100",
     "indicator": "audit_programme_completion", "owner": "thuky"},
    {"year": 0, "unit": "TP", "name": "Số lớp đào tạo nghiệp vụ hộ tịch, chứng thực ≥ 4 lớp/năm", "target": "4",
     "unit_of_measure": "lớp", "owner": "chuquytrinh",
     "values": [(3, "1", "Tập huấn Luật Hộ tịch cho công chức tư pháp các xã"),
                (6, "1", "Bồi dưỡng nghiệp vụ chứng thực bản sao điện tử"),
                (9, "2", "Tập huấn phần mềm hộ tịch dùng chung")],
     "correct": (9, "1", "Một lớp dời sang tháng 10 theo kế hoạch của Sở Tư pháp")},
    {"year": 0, "unit": "MC", "name": "Số phản ánh, kiến nghị về thái độ phục vụ tại Bộ phận Một cửa ≤ 2 lần/năm",
     "target": "2", "direction": AT_MOST, "unit_of_measure": "lần", "owner": "canbo",
     "values": [(1, "0", ""), (2, "0", ""), (3, "1", "Phản ánh qua đường dây nóng, đã xử lý"), (4, "0", ""),
                (5, "0", ""), (6, "0", ""), (7, "0", ""), (8, "0", ""), (9, "0", ""), (10, "0", "")]},
    {"year": -1, "name": "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn đạt ≥ 95%", "target": "95",
     "indicator": "case_on_time_rate", "owner": "lanhdao2"},
    {"year": -1, "name": "Hoàn thành 100% chương trình đánh giá nội bộ", "target": "100",
     "indicator": "audit_programme_completion", "owner": "thuky"},
    {"year": -1, "unit": "TP", "name": "Số lớp đào tạo nghiệp vụ hộ tịch, chứng thực ≥ 4 lớp/năm", "target": "4",
     "unit_of_measure": "lớp", "owner": "chuquytrinh",
     "values": [(4, "1", "Tập huấn Luật Hộ tịch"), (8, "1", "Bồi dưỡng nghiệp vụ chứng thực"),
                (11, "1", "Tập huấn cấp bản sao trích lục hộ tịch")],
     # Three classes of four: missed at year end; its nonconformity is raised and handed to the owner.
     "nonconformity_due": 20},
]


def load_objectives(organisation: DemoOrganisation) -> None:
    """This year's and last year's objectives, their monthly values and last year's missed one's
    nonconformity; skipped if any objective exists."""
    if Objective.objects.exists():
        return
    secretary = organisation.users[Role.ISO_SECRETARY]
    today = timezone.localdate()
    for spec in OBJECTIVES:
        year = today.year + spec["year"]
        owner = organisation.people[spec["owner"]]
        objective = services.objective_create(
            by=secretary, year=year, name=spec["name"], target=Decimal(spec["target"]), owner=owner,
            direction=spec.get("direction", Objective.Direction.AT_LEAST), unit=organisation.units.get(spec.get("unit")),
            indicator=spec.get("indicator", ""), unit_of_measure=spec.get("unit_of_measure", ""),
        )
        for month, value, note in spec.get("values", []):
            if datetime.date(year, month, 1) <= today:
                services.objective_value_record(objective=objective, by=owner, month=month, value=Decimal(value), note=note)
        if "correct" in spec and datetime.date(year, spec["correct"][0], 1) <= today:
            month, value, note = spec["correct"]
            services.objective_value_record(objective=objective, by=owner, month=month, value=Decimal(value), note=note)
        if "nonconformity_due" in spec:
            nonconformity = services.objective_raise_nonconformity(objective=objective, by=secretary)
            audit_services.nonconformity_assign(
                nonconformity=nonconformity, by=secretary, owner=owner,
                due_date=today + datetime.timedelta(days=spec["nonconformity_due"]),
            )
