from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IsoConfig(AppConfig):
    name = "iso"
    verbose_name = _("Quality system core")

    def ready(self):
        from django_fsm.signals import post_transition

        from .roles import sync_role_permissions
        from .workflows import log_transition

        post_transition.connect(log_transition, dispatch_uid="iso.log_transition")
        post_migrate.connect(sync_role_permissions, dispatch_uid="iso.sync_role_permissions")
