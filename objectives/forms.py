from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iso.models import OrgUnit, User
from processes.models import Procedure

from .indicators import indicator_choices
from .models import Objective


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.unit})" if obj.unit_id else obj.get_full_name()


class ObjectiveFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.all(), required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]


class ObjectiveForm(forms.ModelForm):
    """An objective as the ISO secretary sets it; the service numbers it and checks the rest."""

    indicator = forms.ChoiceField(label=_("Measured by"), required=False)
    owner = _PersonChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "full_name")
    )

    class Meta:
        model = Objective
        fields = [
            "year", "unit", "name", "direction", "target", "unit_of_measure", "owner", "due_date", "indicator",
            "procedure", "aggregation",
        ]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("A value entered monthly")), *indicator_choices()]
        self.fields["procedure"].queryset = Procedure.objects.order_by("code")
        self.fields["due_date"].required = False
        self.fields["due_date"].help_text = _("31 December of the year when left empty.")
        if self.instance.pk:
            del self.fields["year"]
        else:
            self.fields["year"].initial = timezone.localdate().year

    def _post_clean(self):
        # The service validates the whole objective (due date in its year, the indicator's parameters).
        pass


class MonthlyValueForm(forms.Form):
    month = forms.TypedChoiceField(label=_("Month"), coerce=int)
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(month, f"{month:02d}/{year}") for month in range(1, 13)]
