"""Export of the risk register through django-import-export, keyed by natural keys (see
records/resources.py): the register as a spreadsheet for the certification body. Export only: risks
enter the register through its page, which numbers them and keeps their history."""

from import_export import fields

from iso.models import OrgUnit, User
from processes.models import Procedure
from records.resources import SafeModelResource, fk

from .models import Risk, RiskAction, RiskScale


class RiskResource(SafeModelResource):
    importable = False

    procedure = fk(Procedure, "code", "procedure", "procedure")
    unit = fk(OrgUnit, "code", "unit", "unit")
    owner = fk(User, "username", "owner", "owner")
    identified_by = fk(User, "username", "identified_by", "identified_by")
    band = fields.Field(column_name="band", readonly=True)
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    select_related = ("procedure", "unit", "owner", "identified_by")

    class Meta:
        model = Risk
        fields = (
            "reference", "kind", "title", "description", "source", "source_detail", "procedure", "unit", "owner",
            "likelihood", "impact", "level", "band", "treatment", "state", "review_date", "identified_on",
            "identified_by", "closed_on", "closure_reason",
        )
        export_order = fields
        import_id_fields = ("reference",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = RiskScale.objects.current()

    def dehydrate_band(self, risk: Risk) -> str:
        return self.scale.band(risk.level) or ""

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Risks enter the register through its page.")


class RiskActionResource(SafeModelResource):
    importable = False

    risk = fk(Risk, "reference", "risk", "risk")
    owner = fk(User, "username", "owner", "owner")
    verified_by = fk(User, "username", "verified_by", "verified_by", readonly=True)
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    select_related = ("risk", "owner", "verified_by")

    class Meta:
        model = RiskAction
        fields = (
            "risk", "number", "description", "owner", "due_date", "state", "planned_at", "completion_note",
            "completed_at", "verified_by", "verified_at", "verification_note",
        )
        import_id_fields = ("risk", "number")

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Treatment actions are planned on the risk's page.")
