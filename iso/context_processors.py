"""Template context shared by every page: the navigation the signed-in user may see."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        (_("Administration"), reverse("admin:index"), "is_staff"),
    ]
    allowed = []
    for label, url, perm in items:
        if perm == "is_staff":
            if not user.is_staff:
                continue
        elif perm and not user.has_perm(perm):
            continue
        allowed.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return {"navigation": allowed}
