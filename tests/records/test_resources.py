"""Imports and exports through the django-import-export resources in records.resources."""

import datetime
import io
import json

import pytest
from django.utils.translation import override
import tablib
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case
from iso.models import OrgUnit, Role, User
from processes.models import Procedure, Step
from records.resources import (
    CaseResource,
    ImportFailed,
    OrgUnitResource,
    ProcedureResource,
    StepResource,
    UserResource,
    export_csv,
    import_all_or_nothing,
    read_dataset,
)
from tests.factories import OrgUnitFactory, ProcedureFactory, ProcedureRevisionFactory, StepFactory, UserFactory

pytestmark = pytest.mark.django_db

UNITS_CSV = (
    "code,name,kind,parent,is_active\n"
    "UB,UBND huyện,agency,,1\n"
    "VP,Văn phòng,department,UB,1\n"
    "TP,Phòng Tư pháp,department,UB,1\n"
)
USERS_CSV = (
    "username,full_name,email,job_title,unit,groups,is_active\n"
    "lan,Nguyễn Thị Lan,lan@example.org,Chuyên viên,VP,\"staff,viewer\",1\n"
    "hung,Trần Văn Hùng,hung@example.org,Trưởng phòng,TP,process_owner,1\n"
)


def csv_dataset(text: str) -> tablib.Dataset:
    return read_dataset(text.encode("utf-8"), "csv")


def export_text(resource, queryset=None) -> str:
    out = io.StringIO()
    export_csv(resource, out, queryset)
    return out.getvalue()


def test_clean_import_of_units_and_users_without_passwords():
    import_all_or_nothing(OrgUnitResource(), csv_dataset(UNITS_CSV))
    import_all_or_nothing(UserResource(), csv_dataset(USERS_CSV))

    assert OrgUnit.objects.get(code="VP").parent.code == "UB"
    lan = User.objects.get(username="lan")
    assert lan.unit.code == "VP"
    assert set(lan.groups.values_list("name", flat=True)) == {Role.STAFF, Role.VIEWER}
    assert not lan.has_usable_password()
    assert not User.objects.get(username="hung").has_usable_password()

    exported = export_text(UserResource())
    header = exported.splitlines()[0].split(",")
    assert "password" not in header and "id" not in header
    assert "lan,Nguyễn Thị Lan" in exported
    assert '"staff,viewer"' in exported or '"viewer,staff"' in exported


def test_existing_users_password_is_kept_on_import():
    user = UserFactory(username="lan")
    user.set_password("s3cret-Passw0rd")
    user.save()
    OrgUnitFactory(code="VP")
    OrgUnitFactory(code="TP")
    import_all_or_nothing(UserResource(), csv_dataset(USERS_CSV))
    assert User.objects.get(username="lan").check_password("s3cret-Passw0rd")


@override("en")
def test_bad_rows_write_nothing_and_name_each_row_and_column():
    OrgUnitFactory(code="UB")
    bad = (
        "code,name,kind,parent,is_active\n"
        "A1,Một,department,UB,1\n"       # row 2: fine
        "A2,Hai,department,NOPE,1\n"     # row 3: unknown parent
        "A3,,department,UB,1\n"          # row 4: name missing
        "A4,Bốn,galaxy,UB,1\n"           # row 5: kind not a choice
    )
    with pytest.raises(ImportFailed) as failure:
        import_all_or_nothing(OrgUnitResource(), csv_dataset(bad))
    messages = [str(e) for e in failure.value.errors]
    assert any(m.startswith("row 3, column parent:") and "NOPE" in m for m in messages), messages
    assert any(m.startswith("row 4, column name:") for m in messages), messages
    assert any(m.startswith("row 5, column kind:") for m in messages), messages
    assert not any(m.startswith("row 2") for m in messages)
    assert not OrgUnit.objects.filter(code__in=["A1", "A2", "A3", "A4"]).exists()


@override("en")
def test_bad_many_to_many_cell_is_named_and_nothing_written():
    OrgUnitFactory(code="VP")
    bad = "username,full_name,unit,groups\nok,OK,VP,staff\nbad,Bad,VP,\"staff,astronaut\"\n"
    with pytest.raises(ImportFailed) as failure:
        import_all_or_nothing(UserResource(), csv_dataset(bad))
    messages = [str(e) for e in failure.value.errors]
    assert any(m.startswith("row 3, column groups:") and "astronaut" in m for m in messages), messages
    assert not User.objects.filter(username__in=["ok", "bad"]).exists()


def test_importing_the_same_file_twice_creates_nothing_new():
    import_all_or_nothing(OrgUnitResource(), csv_dataset(UNITS_CSV))
    import_all_or_nothing(UserResource(), csv_dataset(USERS_CSV))
    counts = (OrgUnit.objects.count(), User.objects.count())
    second = import_all_or_nothing(OrgUnitResource(), csv_dataset(UNITS_CSV))
    import_all_or_nothing(UserResource(), csv_dataset(USERS_CSV))
    assert (OrgUnit.objects.count(), User.objects.count()) == counts
    assert second.totals["new"] == 0


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example","x")', "+1", "@SUM(A1:A2)", "-2+3", "\tcmd"])
def test_formula_cells_are_neutralised_on_export_and_round_trip(text):
    unit = OrgUnitFactory(code="F1", name=text)
    exported = export_text(OrgUnitResource())
    row = next(r for r in csv_dataset(exported).dict if r["code"] == "F1")
    assert row["name"] == "'" + text
    unit.name = "changed"
    unit.save()
    import_all_or_nothing(OrgUnitResource(), csv_dataset(exported))
    unit.refresh_from_db()
    assert unit.name == text


def test_plain_apostrophe_text_is_left_alone():
    unit = OrgUnitFactory(code="F2", name="'quoted")
    exported = export_text(OrgUnitResource())
    import_all_or_nothing(OrgUnitResource(), csv_dataset(exported))
    unit.refresh_from_db()
    assert unit.name == "'quoted"


def test_procedures_and_steps_by_natural_keys():
    owner = OrgUnitFactory(code="TP")
    procedure = ProcedureFactory(code="QT-09", owner_unit=owner)
    from iso.models import Clause

    procedure.clauses.set(Clause.objects.filter(number__in=["8.1", "8.2"]))
    revision = ProcedureRevisionFactory(procedure=procedure)
    StepFactory(revision=revision, code="B1", responsible_unit=owner)

    exported = export_text(ProcedureResource())
    assert "QT-09" in exported and "TP" in exported
    steps_csv = export_text(StepResource())
    step_row = csv_dataset(steps_csv).dict[0]
    assert (step_row["procedure"], step_row["revision"], step_row["code"]) == ("QT-09", str(revision.number), "B1")

    # Re-importing changes nothing; a renamed step is updated in place.
    import_all_or_nothing(ProcedureResource(), csv_dataset(exported))
    changed = steps_csv.replace(step_row["name"], "Tiếp nhận hồ sơ")
    import_all_or_nothing(StepResource(), csv_dataset(changed))
    assert Step.objects.get().name == "Tiếp nhận hồ sơ"
    assert Procedure.objects.count() == 1
    assert set(Procedure.objects.get().clauses.values_list("number", flat=True)) == {"8.1", "8.2"}


def _cases(count: int, procedure, revision, unit, user):
    year = timezone.now().year
    start = Case.objects.filter(procedure=procedure).count()
    Case.objects.bulk_create(
        Case(
            reference=f"CASE-{start + i:05d}", procedure=procedure, revision=revision, year=year, sequence=start + i,
            unit=unit, applicant_name="=cmd|' /C calc'!A0", received_by=user, assignee=user,
            received_at=timezone.now(), due_at=timezone.now() + datetime.timedelta(days=3),
        )
        for i in range(1, count + 1)
    )


def test_case_export_keeps_a_constant_query_count(django_assert_max_num_queries, unit, staff):
    procedure = ProcedureFactory(owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure)
    _cases(10, procedure, revision, unit, staff)
    with django_assert_max_num_queries(3):
        small = export_text(CaseResource())
    _cases(190, procedure, revision, unit, staff)
    with django_assert_max_num_queries(3):
        large = export_text(CaseResource())
    rows = csv_dataset(large).dict
    assert len(csv_dataset(small)) == 10 and len(rows) == 200
    assert rows[0]["procedure"] == procedure.code and rows[0]["received_by"] == "staff"
    assert rows[0]["state"] == Case.State.RECEIVED
    assert rows[0]["applicant_name"].startswith("'=")


def test_case_resource_does_not_import_the_state(unit, staff):
    resource = CaseResource()
    assert "state" not in [f.column_name for f in resource.get_import_fields() if not f.readonly]
    with pytest.raises(CommandError):
        call_command("import_data", "case", "whatever.csv")


def test_commands_export_and_import_round_trip(tmp_path):
    import_all_or_nothing(OrgUnitResource(), csv_dataset(UNITS_CSV))
    for fmt in ("csv", "json", "xlsx"):
        target = tmp_path / f"units.{fmt}"
        call_command("export_data", "orgunit", "--format", fmt, "--output", str(target))
        call_command("import_data", "orgunit", str(target), stdout=io.StringIO())
    assert OrgUnit.objects.count() == 3
    data = json.loads((tmp_path / "units.json").read_text(encoding="utf-8"))
    assert {row["code"] for row in data} == {"UB", "VP", "TP"}
    out = io.StringIO()
    call_command("export_data", "user", stdout=out)
    assert out.getvalue().startswith("username,")


@override("en")
def test_import_command_exits_non_zero_on_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "units.csv"
    bad.write_text("code,name,kind,parent\nX1,,department,\nX2,Hai,department,GHOST\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", "orgunit", str(bad), stderr=err)
    assert "row 2, column name:" in err.getvalue()
    assert "row 3, column parent:" in err.getvalue()
    assert not OrgUnit.objects.filter(code__in=["X1", "X2"]).exists()

    with pytest.raises(CommandError):
        call_command("export_data", "nosuchmodel")
    with pytest.raises(CommandError):
        call_command("import_data", "orgunit", str(tmp_path / "missing.csv"))


def test_demo_data_exports_every_model_and_reimports_to_no_change(django_assert_max_num_queries):
    from records.resources import RESOURCES

    call_command("load_demo", stdout=io.StringIO())
    for name, resource_class in RESOURCES.items():
        model = resource_class._meta.model
        with django_assert_max_num_queries(8):
            exported = export_text(resource_class())
        dataset = csv_dataset(exported)
        assert len(dataset) == model.objects.count(), name
        assert "id" not in dataset.headers, name
        if not resource_class.importable:
            continue
        before = model.objects.count()
        result = import_all_or_nothing(resource_class(), dataset)
        assert model.objects.count() == before, name
        assert result.totals["new"] == 0, name


def test_rows_read_as_values_are_the_rows_the_instances_give():
    from records.resources import RESOURCES

    call_command("load_demo", stdout=io.StringIO())
    fast = []
    for name, resource_class in RESOURCES.items():
        resource = resource_class()
        fields_ = resource.get_export_fields()
        by_instance = [[resource.export_field(f, obj) for f in fields_] for obj in resource.get_queryset()]
        assert list(resource.iter_rows()) == by_instance, name
        fast.append(resource._value_paths(fields_) is not None)
    cases = CaseResource()
    assert cases._value_paths(cases.get_export_fields()) is not None
    assert not all(fast), "resources with many-to-many columns keep the instance path"


def test_admin_offers_import_export_and_cases_export_only(client):
    admin = User.objects.create_superuser("root", "root@example.org", "pw-Root-123")
    client.force_login(admin)
    assert client.get("/admin/iso/orgunit/import/").status_code == 200
    assert client.get("/admin/iso/user/export/").status_code == 200
    assert client.get("/admin/cases/case/export/").status_code == 200
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("admin:cases_case_import")


def test_record_types_by_code_when_the_model_exists():
    from django.apps import apps

    from records.resources import RESOURCES

    try:
        RecordType = apps.get_model("records", "RecordType")
    except LookupError:
        pytest.skip("records.RecordType does not exist yet")
    procedure = ProcedureFactory(code="QT-07")
    text = "code,name,procedure,keeper,retention_years\nHS-07-01,Sổ tiếp nhận,QT-07,Một cửa,5\n"
    import_all_or_nothing(RESOURCES["recordtype"](), csv_dataset(text))
    import_all_or_nothing(RESOURCES["recordtype"](), csv_dataset(text))
    record_type = RecordType.objects.get()
    assert (record_type.code, record_type.procedure, record_type.retention_years) == ("HS-07-01", procedure, 5)
    exported = export_text(RESOURCES["recordtype"]())
    assert "HS-07-01" in exported and "QT-07" in exported
