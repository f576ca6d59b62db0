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
    "satisfaction.view_feedback",
    "satisfaction.view_criterion",
    "objectives.view_objective",
    "qms.view_qmsdocument",
    "qms.view_scoperevision",
    "qms.view_policyrevision",
    "reviews.view_managementreview",
    "risks.view_risk",
    "risks.view_riskassessment",
    "risks.view_riskaction",
    "risks.view_riskscale",
]

_HANDLE_CASES = ["cases.add_case", "cases.handle_case"]
#: Typing in the applicants' paper satisfaction forms and marking complaints.
_HANDLE_FEEDBACK = ["satisfaction.handle_feedback"]
#: Entering the monthly values of the objectives one owns (the service checks the ownership).
_RECORD_OBJECTIVES = ["objectives.record_objective_value"]
#: Carrying out the actions a management review gave one (every role but the viewer).
_CARRY_OUT_REVIEW_ACTIONS = ["reviews.carry_out_reviewaction"]
#: Raising nonconformities, analysing those of one's unit, carrying out one's corrective actions.
_HANDLE_NONCONFORMITIES = ["audits.add_nonconformity", "audits.handle_nonconformity", "audits.add_actionevidence"]
#: The ISO secretary writes the scope and the policy and takes them through their lifecycle.
_KEEP_QMS_DOCUMENTS = [
    "qms.add_qmsdocument",
    "qms.change_qmsdocument",
    *(f"qms.{action}_{model}" for model in ("scoperevision", "policyrevision")
      for action in ("add", "change", "submit", "review", "publish", "withdraw")),
    "qms.view_policyacknowledgement",
]
#: Entering risks, assessing and treating those one owns, carrying out one's treatment actions.
_HANDLE_RISKS = ["risks.add_risk", "risks.handle_risk"]
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
        *_HANDLE_FEEDBACK,
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
        "satisfaction.add_criterion",
        "satisfaction.change_criterion",
        "iso.request_evidence_pack",
        "objectives.add_objective",
        "objectives.change_objective",
        "objectives.raise_objective_nonconformity",
        *_RECORD_OBJECTIVES,
        *_KEEP_QMS_DOCUMENTS,
        "reviews.add_managementreview",
        "reviews.change_managementreview",
        "reviews.view_annualreport",
        "reviews.change_annualreport",
        "reviews.verify_reviewaction",
        *_CARRY_OUT_REVIEW_ACTIONS,
        *_HANDLE_RISKS,
        "risks.verify_riskaction",
        "risks.change_riskscale",
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
        "objectives.raise_objective_nonconformity",
        *_RECORD_OBJECTIVES,
        "qms.review_scoperevision",
        "qms.approve_scoperevision",
        "qms.review_policyrevision",
        "qms.approve_policyrevision",
        "qms.view_policyacknowledgement",
        "reviews.approve_minutes",
        "reviews.view_annualreport",
        "reviews.verify_reviewaction",
        *_CARRY_OUT_REVIEW_ACTIONS,
        *_HANDLE_RISKS,
        "risks.verify_riskaction",
    ],
    Role.PROCESS_OWNER: _READ
    + [
        "processes.add_procedurerevision",
        "processes.change_procedurerevision",
        "processes.submit_procedurerevision",
        *_HANDLE_CASES,
        *_HANDLE_FEEDBACK,
        *_HANDLE_NONCONFORMITIES,
        *_RECORD_OBJECTIVES,
        *_CARRY_OUT_REVIEW_ACTIONS,
        *_HANDLE_RISKS,
        "risks.verify_riskaction",
    ],
    Role.STAFF: _READ + _HANDLE_CASES + _HANDLE_FEEDBACK + _HANDLE_NONCONFORMITIES + _RECORD_OBJECTIVES
    + _CARRY_OUT_REVIEW_ACTIONS + _HANDLE_RISKS,
    Role.INTERNAL_AUDITOR: _READ + _AUDIT + _CARRY_OUT_REVIEW_ACTIONS
    + ["iso.view_transitionlog", "processes.view_acknowledgement", "audits.view_checklisttemplate"],
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
