"""The year's objectives with their performance, as a django-import-export resource (export only),
following the project's resources (records/resources.py): natural keys, formula-looking cells
neutralised, rows streamed."""

from import_export import fields, widgets

from audits.models import Nonconformity
from iso.models import OrgUnit, User
from processes.models import Procedure
from records.resources import SafeModelResource, fk

from .models import Objective
from .selectors import ObjectivePerformance, objective_performance

MONTH_COLUMNS = tuple(f"month_{number:02d}" for number in range(1, 13))


def _performance(objective: Objective) -> ObjectivePerformance:
    """The objective's performance today, computed once per exported row."""
    cached = objective.__dict__.get("_export_performance")
    if cached is None:
        cached = objective._export_performance = objective_performance(objective)
    return cached


def _month(number: int):
    def value(objective: Objective):
        return next((month.value for month in _performance(objective).months if month.month == number), None)

    return value


def _measured(column: str, read) -> fields.Field:
    """A column computed from the objective's performance, not stored."""
    return fields.Field(column_name=column, readonly=True, dehydrate_method=read)


class ObjectiveResource(SafeModelResource):
    """Objectives with the value of the year to date, the status and each month's value (empty for
    no data, and for months not measured yet), export only: objectives are set on their pages."""

    importable = False

    unit = fk(OrgUnit, "code", "unit", "unit")
    procedure = fk(Procedure, "code", "procedure", "procedure")
    owner = fk(User, "username", "owner", "owner")
    nonconformity = fk(Nonconformity, "reference", "nonconformity", "nonconformity")
    # A number, not text in the page's language: the computed columns beside it are numbers too.
    target = fields.Field(attribute="target", column_name="target", widget=widgets.DecimalWidget(coerce_to_string=False))
    value_to_date = _measured("value_to_date", lambda objective: _performance(objective).value)
    measured_through = _measured("measured_through", lambda objective: _performance(objective).measured_through)
    status = _measured("status", lambda objective: _performance(objective).status)
    for _number, _column in enumerate(MONTH_COLUMNS, 1):
        vars()[_column] = _measured(_column, _month(_number))
    del _number, _column

    select_related = ("unit", "procedure", "owner", "nonconformity")
    prefetch_related = ("values",)

    class Meta:
        model = Objective
        fields = (
            "reference", "year", "unit", "name", "indicator", "procedure", "direction", "target", "unit_of_measure",
            "aggregation", "owner", "due_date", "measured_through", "value_to_date", "status", *MONTH_COLUMNS,
            "nonconformity",
        )
        export_order = fields
        import_id_fields = ("reference",)
