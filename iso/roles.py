"""What each role may do, as Django permissions given to the role's group.

The groups themselves are created by a data migration; their permissions are synchronised after
every migrate, because the permissions of apps migrated later do not exist yet when that data
migration runs.
"""

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

from .models import Role

_READ = [
    "iso.view_orgunit",
    "iso.view_clause",
    "processes.view_procedure",
    "processes.view_procedurerevision",
    "cases.view_case",
    "audits.view_auditprogramme",
    "audits.view_audit",
    "audits.view_finding",
    "audits.view_nonconformity",
    "audits.view_correctiveaction",
    "records.view_recordtype",
    "records.view_keptrecord",
    "records.view_disposalminute",
]

_HANDLE_CASES = ["cases.add_case", "cases.handle_case"]
#: Raising nonconformities, analysing those of one's unit, carrying out one's corrective actions.
_HANDLE_NONCONFORMITIES = ["audits.add_nonconformity", "audits.handle_nonconformity", "audits.add_actionevidence"]
_AUDIT = [
    "audits.conduct_audit",
    "audits.add_checklistitem",
    "audits.change_checklistitem",
    "audits.add_finding",
    "audits.change_finding",
    "audits.add_nonconformity",
    "audits.verify_correctiveaction",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ISO_SECRETARY: _READ
    + [
        "iso.add_orgunit",
        "iso.change_orgunit",
        "iso.add_calendarday",
        "iso.change_calendarday",
        "iso.delete_calendarday",
        "iso.view_calendarday",
        "iso.view_transitionlog",
        "iso.view_signature",
        "iso.view_user",
        "iso.reset_signature_lock",
        "processes.add_procedure",
        "processes.change_procedure",
        "processes.add_procedurerevision",
        "processes.change_procedurerevision",
        "processes.submit_procedurerevision",
        "processes.review_procedurerevision",
        "processes.publish_procedurerevision",
        "processes.withdraw_procedurerevision",
        "processes.view_acknowledgement",
        *_HANDLE_CASES,
        *_HANDLE_NONCONFORMITIES,
        *_AUDIT,
        "audits.add_auditprogramme",
        "audits.change_auditprogramme",
        "audits.add_audit",
        "audits.change_audit",
        "audits.add_checklisttemplate",
        "audits.change_checklisttemplate",
        "audits.view_checklisttemplate",
        "records.add_recordtype",
        "records.change_recordtype",
        "records.add_keptrecord",
        "records.change_keptrecord",
        "iso.request_evidence_pack",
    ],
    Role.APPROVER: _READ
    + [
        "iso.view_transitionlog",
        "iso.view_signature",
        "processes.review_procedurerevision",
        "processes.approve_procedurerevision",
        "processes.view_acknowledgement",
        # Leaders sign results in the signing steps of administrative procedures.
        "cases.handle_case",
        "audits.approve_auditprogramme",
        "records.approve_disposal",
        "iso.request_evidence_pack",
        *_HANDLE_NONCONFORMITIES,
    ],
    Role.PROCESS_OWNER: _READ
    + [
        "processes.add_procedurerevision",
        "processes.change_procedurerevision",
        "processes.submit_procedurerevision",
        *_HANDLE_CASES,
        *_HANDLE_NONCONFORMITIES,
    ],
    Role.STAFF: _READ + _HANDLE_CASES + _HANDLE_NONCONFORMITIES,
    Role.INTERNAL_AUDITOR: _READ + _AUDIT + ["iso.view_transitionlog", "processes.view_acknowledgement", "audits.view_checklisttemplate"],
    Role.VIEWER: _READ,
}


def sync_role_permissions(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Give each role's group exactly the permissions listed above (idempotent), in the database
    just migrated or flushed. Django sends post_migrate once per app, and a flush between
    transactional tests sends it too, so the permissions are read in one query."""
    codenames = {perm.split(".")[1] for perms in ROLE_PERMISSIONS.values() for perm in perms}
    existing = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.using(using).filter(codename__in=codenames).select_related("content_type")
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        # A permission of an app migrated later is not there yet; that app's post_migrate adds it.
        group.permissions.set([existing[perm] for perm in perms if perm in existing])
