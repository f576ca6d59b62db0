import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import override

from iso.models import Clause, OrgUnit, Role, TransitionLog
from iso.roles import ROLE_PERMISSIONS
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


# The clause catalogue


def test_the_clause_catalogue_is_loaded_with_vietnamese_titles():
    clause = Clause.objects.get(number="10.2")

    assert clause.title_vi == "Sự không phù hợp và hành động khắc phục"
    assert clause.title_en == "Nonconformity and corrective action"
    assert clause.parent.number == "10"


def test_a_clause_shows_its_title_in_the_active_language():
    clause = Clause.objects.get(number="10.2")

    with override("vi"):
        assert str(clause) == "10.2 Sự không phù hợp và hành động khắc phục"
    with override("en"):
        assert str(clause) == "10.2 Nonconformity and corrective action"


def test_clauses_are_ordered_by_number_not_by_text():
    numbers = list(Clause.objects.values_list("number", flat=True))

    assert [n for n in numbers if "." not in n] == ["4", "5", "6", "7", "8", "9", "10"]
    assert numbers.index("10") > max(numbers.index(n) for n in numbers if n.startswith("9"))
    assert numbers.index("9.1.3") < numbers.index("9.2") < numbers.index("9.3")


# Roles


def _permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_group_has_exactly_the_permissions_of_its_role(role):
    assert _permissions(role) == set(ROLE_PERMISSIONS[role])


def test_only_the_secretary_publishes_and_withdraws_and_only_the_approver_approves():
    holders = {
        perm: {role.value for role in Role if perm in _permissions(role)}
        for perm in [
            "processes.submit_procedurerevision",
            "processes.review_procedurerevision",
            "processes.approve_procedurerevision",
            "processes.publish_procedurerevision",
            "processes.withdraw_procedurerevision",
        ]
    }

    assert holders == {
        "processes.submit_procedurerevision": {Role.ISO_SECRETARY, Role.PROCESS_OWNER},
        "processes.review_procedurerevision": {Role.ISO_SECRETARY, Role.APPROVER},
        "processes.approve_procedurerevision": {Role.APPROVER},
        "processes.publish_procedurerevision": {Role.ISO_SECRETARY},
        "processes.withdraw_procedurerevision": {Role.ISO_SECRETARY},
    }


def test_a_viewer_may_only_read():
    assert all(perm.split(".")[1].startswith("view_") for perm in _permissions(Role.VIEWER))
    assert "processes.view_procedurerevision" in _permissions(Role.VIEWER)


@pytest.mark.parametrize("role", [Role.STAFF, Role.INTERNAL_AUDITOR, Role.VIEWER])
def test_staff_auditors_and_viewers_may_only_read_procedures_and_the_core(role):
    perms = [perm for perm in _permissions(role) if perm.startswith(("iso.", "processes."))]

    assert "processes.view_procedurerevision" in perms
    assert all(perm.split(".")[1].startswith("view_") for perm in perms)


def test_a_user_has_the_permissions_of_their_role(secretary, approver, staff):
    assert secretary.has_role(Role.ISO_SECRETARY)
    assert not secretary.has_role(Role.APPROVER)
    assert secretary.has_perm("processes.publish_procedurerevision")
    assert approver.has_perm("processes.approve_procedurerevision")
    assert not approver.has_perm("processes.publish_procedurerevision")
    assert not staff.has_perm("processes.submit_procedurerevision")


# Organisation units


def test_a_unit_cannot_be_its_own_parent():
    unit = OrgUnitFactory()
    unit.parent = unit

    with override("en"), pytest.raises(ValidationError) as refused:
        unit.clean()

    assert refused.value.message_dict == {
        "parent": ["A unit cannot be placed under itself or one of its own sub-units."]
    }


def test_a_unit_cannot_be_placed_under_one_of_its_descendants():
    agency = OrgUnitFactory(kind=OrgUnit.Kind.AGENCY)
    department = OrgUnitFactory(parent=agency)
    section = OrgUnitFactory(parent=department, kind=OrgUnit.Kind.SECTION)
    agency.parent = section

    with override("en"), pytest.raises(ValidationError) as refused:
        agency.full_clean()

    assert refused.value.message_dict["parent"] == [
        "A unit cannot be placed under itself or one of its own sub-units."
    ]


def test_a_unit_may_be_moved_under_a_unit_outside_its_own_subtree():
    district = OrgUnitFactory(kind=OrgUnit.Kind.DISTRICT)
    other_district = OrgUnitFactory(kind=OrgUnit.Kind.DISTRICT)
    commune = OrgUnitFactory(parent=district, kind=OrgUnit.Kind.COMMUNE)
    commune.parent = other_district

    commune.full_clean()


# The transition log


@pytest.fixture
def log_entry(secretary):
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(OrgUnit),
        object_id=secretary.unit_id,
        object_repr="VP",
        transition="submit",
        source="draft",
        target="in_review",
        actor=secretary,
        comment="first",
    )


def test_a_log_entry_cannot_be_saved_again(log_entry):
    log_entry.comment = "rewritten"

    with pytest.raises(TypeError, match="append-only"):
        log_entry.save()

    assert TransitionLog.objects.get(pk=log_entry.pk).comment == "first"


def test_a_log_entry_cannot_be_deleted(log_entry):
    with pytest.raises(TypeError, match="append-only"):
        log_entry.delete()

    assert TransitionLog.objects.filter(pk=log_entry.pk).exists()


def test_log_entries_cannot_be_updated_in_bulk(log_entry):
    with pytest.raises(TypeError, match="append-only"):
        TransitionLog.objects.filter(pk=log_entry.pk).update(comment="rewritten")
    log_entry.comment = "rewritten"
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        TransitionLog.objects.bulk_update([log_entry], ["comment"])

    assert TransitionLog.objects.get(pk=log_entry.pk).comment == "first"


def test_log_entries_cannot_be_deleted_in_bulk(log_entry):
    with pytest.raises(TypeError, match="append-only"):
        TransitionLog.objects.filter(pk=log_entry.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        TransitionLog.objects.all().delete()

    assert TransitionLog.objects.count() == 1


def test_a_new_entry_carrying_the_id_of_an_old_one_cannot_overwrite_it(log_entry, approver):
    forged = TransitionLog(
        pk=log_entry.pk,
        content_type=log_entry.content_type,
        object_id=log_entry.object_id,
        object_repr="VP",
        transition="approve",
        source="in_review",
        target="approved",
        actor=approver,
        comment="forged",
    )

    with pytest.raises((TypeError, IntegrityError)), transaction.atomic():
        forged.save()

    stored = TransitionLog.objects.get(pk=log_entry.pk)
    assert (stored.transition, stored.actor, stored.comment) == ("submit", log_entry.actor, "first")
