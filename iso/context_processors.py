"""Template context shared by every page: the navigation the signed-in user may see."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [
        (_("Home"), reverse("home"), None),
        (_("Procedures"), reverse("processes:procedure_list"), "processes.view_procedure"),
        (_("Master list"), reverse("processes:master_list"), "processes.view_procedure"),
        (_("Cases"), reverse("cases:case_list"), "cases.view_case"),
        (_("On-time dashboard"), reverse("cases:dashboard"), "cases.view_case"),
        (_("Audits"), reverse("audits:programme_list"), "audits.view_audit"),
        (_("Nonconformities"), reverse("audits:nonconformity_list"), "audits.view_nonconformity"),
        (_("Records register"), reverse("records:record_type_list"), "records.view_recordtype"),
        (_("Satisfaction"), reverse("satisfaction:index"), "satisfaction.view_feedback"),
        (_("Quality objectives"), reverse("objectives:objective_list"), "objectives.view_objective"),
        (_("Scope and policy"), reverse("qms:index"), "qms.view_qmsdocument"),
        (_("Management review"), reverse("reviews:review_list"), "reviews.view_managementreview"),
        (_("Risks"), reverse("risks:risk_list"), "risks.view_risk"),
        (_("Administration"), reverse("admin:index"), "admin"),
    ]
    allowed = [
        {"label": label, "url": url, "active": False}
        for label, url, perm in items
        if (access.may_use_admin(user) if perm == "admin" else not perm or user.has_perm(perm))
    ]
    # The entry whose address is the longest prefix of the page's is the current one.
    matches = [item for item in allowed if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"navigation": allowed}
