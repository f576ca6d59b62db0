"""The admin site, open only to the ISO secretary and superusers (iso/access.py decides)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import access


class IsoAdminSite(admin.AdminSite):
    """Django's admin, where staff status alone is not enough: the user must also be the ISO
    secretary, or a superuser. Every other role works through the application's pages, where the
    object-level rules apply."""

    site_header = _("ISO 9001 process tracker: administration")
    site_title = _("Administration")

    def has_permission(self, request):
        return access.may_use_admin(request.user)
