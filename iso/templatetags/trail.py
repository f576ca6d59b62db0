"""{% change_history record [more records or querysets...] %}: the "History of changes" table."""

from django import template
from django.db.models import QuerySet

from iso.trail import field_history

register = template.Library()


@register.inclusion_tag("iso/_change_history.html")
def change_history(*subjects):
    """The field changes of the given records (instances or querysets), read in one query."""
    several = len(subjects) > 1 or any(isinstance(subject, QuerySet) for subject in subjects)
    return {"changes": field_history(*subjects), "show_record": several}
