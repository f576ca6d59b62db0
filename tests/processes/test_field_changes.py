"""Edits of a draft revision keep each changed content field, shown on the revision's page."""

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iso.trail import field_history
from tests.factories import ProcedureRevisionFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _edit(client, revision, **content):
    data = {
        f"content-{name}": getattr(revision, name)
        for name in ("purpose", "scope", "references", "definitions", "content", "change_summary")
    }
    if revision.supplement_restarts_clock:
        data["content-supplement_restarts_clock"] = "on"
    data.update({f"content-{name}": value for name, value in content.items()})
    if data.get("content-supplement_restarts_clock") is False:
        del data["content-supplement_restarts_clock"]
    data["content-edit_version"] = str(revision.edit_version)
    for prefix in ("forms", "steps", "edges", "records"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = client.post(reverse("processes:revision_edit", args=[revision.procedure.code, revision.number]), data)
    assert response.status_code == 302
    revision.refresh_from_db()


def test_the_editor_keeps_each_changed_content_field_with_old_and_new_value(client, secretary):
    revision = ProcedureRevisionFactory(author=secretary, purpose="Mục đích cũ", scope="Phạm vi")
    client.force_login(secretary)

    _edit(client, revision, purpose="Mục đích mới", change_summary="Sửa mục đích", supplement_restarts_clock=False)

    assert [(c.field_name, c.old_value, c.new_value, c.actor) for c in field_history(revision)] == [
        ("purpose", "Mục đích cũ", "Mục đích mới", secretary),
        ("change_summary", "", "Sửa mục đích", secretary),
        ("supplement_restarts_clock", "true", "false", secretary),
    ]


def test_saving_the_editor_without_changes_records_nothing(client, secretary):
    revision = ProcedureRevisionFactory(author=secretary)
    client.force_login(secretary)

    _edit(client, revision)

    assert not field_history(revision).exists()


def test_the_revision_page_shows_the_history_of_changes_in_a_flat_query_count(
    client, secretary, django_assert_max_num_queries
):
    revision = ProcedureRevisionFactory(author=secretary, purpose="Mục đích cũ")
    client.force_login(secretary)
    _edit(client, revision, purpose="Lần 0")
    url = revision.get_absolute_url()
    reset_queries()  # the request resets the query log: count from zero
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **EN).status_code == 200
    with_one_change = len(captured)
    for n in range(1, 11):
        _edit(client, revision, purpose=f"Lần {n}", supplement_restarts_clock=bool(n % 2))

    reset_queries()
    with django_assert_max_num_queries(with_one_change):
        html = client.get(url, **EN).content.decode()
    assert "History of changes" in html
    assert "1. Purpose" in html and "Mục đích cũ" in html and "Lần 10" in html
    # A yes/no field is shown in words, in the reader's language.
    assert "A supplement restarts the time limit" in html and "<td>Yes</td><td>No</td>" in html
