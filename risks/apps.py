from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks and opportunities")

    def ready(self):
        # The register's export joins the resources of ``manage.py export_data``.
        from records.resources import RESOURCES

        from .resources import RiskActionResource, RiskResource

        RESOURCES.setdefault("risk", RiskResource)
        RESOURCES.setdefault("riskaction", RiskActionResource)
