from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django_fsm.signals import post_transition


class IsoConfig(AppConfig):
    default = True
    name = "iso"
    verbose_name = _("Quality system core")

    def ready(self):
        # The receivers import models, which exist only once the registry is ready.
        from .accounts import session_touch
        from .roles import sync_role_permissions
        from .workflows import log_transition

        post_transition.connect(log_transition, dispatch_uid="iso.log_transition")
        post_migrate.connect(sync_role_permissions, dispatch_uid="iso.sync_role_permissions")
        user_logged_in.connect(session_touch, dispatch_uid="iso.session_touch")


class IsoAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site of iso/admin_site.py as ``admin.site``."""

    default = False
    default_site = "iso.admin_site.IsoAdminSite"
