"""Loading cases from another system's export: all rows or none, every bad row named."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from cases.models import Case, Timing

from .conftest import at

pytestmark = pytest.mark.django_db

HEADER = "reference,procedure,unit,received_by,received_at,applicant_name,channel,outcome,resolved_at,note\n"


def write(tmp_path, text, name="cases.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_file_is_imported_whole(tmp_path, birth, clerk):
    path = write(tmp_path, HEADER
                 + "MC-1,QT-06,,motcua,2026-05-18 08:00,Trần Văn An,online,completed,2026-05-18 16:00,\n"
                 + ",QT-06,,motcua,2026-05-18 09:00,Lê Thị Bình,,,,\n"
                 + "MC-3,QT-06,,motcua,2026-05-18 10:00,Phạm Văn Cường,post,completed,2026-05-21 09:00,trễ\n")
    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out)
    assert "imported 3 case(s)" in out.getvalue()
    first, second, third = Case.objects.order_by("received_at")
    assert (first.reference, first.state, first.timing, first.sequence) == ("MC-1", "completed", Timing.EARLY, 1)
    assert (second.reference, second.state, second.current_step.code) == ("QT-06-260518-0002", "received", "TN")
    assert second.visits.get().step.code == "TN"
    assert (third.timing, third.channel, third.outcome_note) == (Timing.LATE, "post", "trễ")
    assert first.due_at == at("2026-05-19", "14:00")


def test_a_file_with_bad_rows_writes_nothing_and_names_each_error(tmp_path, birth, clerk):
    path = write(tmp_path, HEADER
                 + "MC-1,QT-06,,motcua,2026-05-18 08:00,Trần Văn An,,completed,2026-05-18 16:00,\n"
                 + "MC-2,QT-99,,motcua,2026-05-18 09:00,Lê Thị Bình,,,,\n"
                 + "MC-3,QT-06,,nobody,18.05.2026,Phạm Văn Cường,fax,done,,\n"
                 + "MC-1,QT-06,,motcua,2026-05-18 10:00,,,completed,2026-05-17 10:00,\n")
    err = io.StringIO()
    with override("en"), pytest.raises(CommandError, match="8 error\\(s\\); nothing was imported"):
        call_command("import_cases", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 3, column procedure: no procedure has the code “QT-99”",
        "row 4, column received_by: no user is called “nobody”",
        "row 4, column received_at: “18.05.2026” is not a date and time (use YYYY-MM-DD HH:MM)",
        "row 4, column outcome: must be empty (still open), completed, rejected or withdrawn, not “done”",
        "row 4, column channel: must be one of in_person, post, online, not “fax”",
        "row 5, column applicant_name: is required",
        "row 5, column resolved_at: is before the case was received",
        "row 5, column reference: the dossier code MC-1 appears twice in the file",
    ]
    assert Case.objects.count() == 0


def test_importing_the_same_file_twice_is_refused_the_second_time(tmp_path, birth, clerk):
    path = write(tmp_path, HEADER + "MC-1,QT-06,,motcua,2026-05-18 08:00,Trần Văn An,,,,\n")
    call_command("import_cases", str(path), stdout=io.StringIO())
    with override("en"), pytest.raises(CommandError):
        call_command("import_cases", str(path), stderr=io.StringIO())
    assert Case.objects.count() == 1


def test_a_missing_column_is_named_before_any_row_is_read(tmp_path, birth):
    path = write(tmp_path, "procedure,received_at\nQT-06,2026-05-18 08:00\n")
    err = io.StringIO()
    with override("en"), pytest.raises(CommandError):
        call_command("import_cases", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 1, column applicant_name: this required column is missing",
        "row 1, column received_by: this required column is missing",
    ]


def test_an_xlsx_export_is_read_with_its_real_dates(tmp_path, birth, clerk):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["procedure", "received_by", "received_at", "applicant_name", "outcome", "resolved_at"])
    sheet.append(["QT-06", "motcua", at("2026-05-18", "08:00").replace(tzinfo=None), "Công ty TNHH Minh Phát",
                  "rejected", at("2026-05-18", "10:00").replace(tzinfo=None)])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    call_command("import_cases", str(path), stdout=io.StringIO())
    case = Case.objects.get()
    assert (case.state, case.received_at, case.timing) == ("rejected", at("2026-05-18", "08:00"), Timing.EARLY)
