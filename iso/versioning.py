"""Optimistic versioning of controlled records: two people editing the same record never both win
silently.

A row lock alone only makes two saves wait for each other: the second still overwrites the first
with what it read before. So every edit form of a controlled record carries, in a hidden field,
the version of the record it was opened at (:class:`EditVersionField`); the service that saves
locks the row and :func:`edit_check` refuses the save when the stored version has moved on since,
with a message naming the record and who changed it when; :func:`edit_stamp` moves the version on
in the same transaction.

Records that are edited inherit :class:`EditVersioned` (the version, who saved last and when). A
model that keeps only an ``edit_version`` of its own (the procedure revision) works the same way;
its refusal says when it was saved but cannot say by whom.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class EditVersioned(models.Model):
    """A controlled record edited through forms: how many times it was saved, by whom last, when."""

    #: Counts the saves of the record's editors; an edit made on an older count is refused.
    edit_version = models.PositiveIntegerField(_("edit version"), default=0, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("last changed by"), on_delete=models.PROTECT, null=True, blank=True,
        editable=False, related_name="+",
    )
    edited_at = models.DateTimeField(_("last changed at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class StaleEdit(ValidationError):
    """Someone else saved the record after the editor was opened; nothing was saved."""


def last_edit(record) -> tuple[object | None, datetime.datetime | None]:
    """Who saved ``record`` last and when, as far as the record keeps it."""
    if isinstance(record, EditVersioned):
        return record.edited_by, record.edited_at
    return None, getattr(record, "updated_at", None)


def _moment(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M:%S %d/%m/%Y")


def edit_check(current, *, edit_version: int | None) -> None:
    """Refuse the save when ``current`` (the row as locked now) is no longer at ``edit_version``,
    the version its editor was opened at; None skips the check, for writes that come from no
    editor (loaders, imports). Call it on the row locked with ``select_for_update``."""
    if edit_version is None or current.edit_version == edit_version:
        return
    who, when = last_edit(current)
    kind = str(current._meta.verbose_name)
    values = {"kind": kind, "Kind": capfirst(kind), "record": current}
    if who is not None and when is not None:
        message = gettext(
            "%(Kind)s “%(record)s” was changed by %(who)s at %(time)s, after you opened it: your changes were not "
            "saved. Open it again to see their version, then make your changes on it."
        )
        values.update(who=who.get_full_name(), time=_moment(when))
    elif when is not None:
        message = gettext(
            "Someone else changed the %(kind)s “%(record)s” at %(time)s, after you opened it: your changes were not "
            "saved. Open it again to see their version, then make your changes on it."
        )
        values.update(time=_moment(when))
    else:
        message = gettext(
            "Someone else changed the %(kind)s “%(record)s” after you opened it: your changes were not saved. "
            "Open it again to see their version, then make your changes on it."
        )
    raise StaleEdit(message % values, code="stale")


def edit_lock(record, *, edit_version: int | None):
    """``record`` read again and locked for the rest of the transaction, if it is still at
    ``edit_version`` (see :func:`edit_check`)."""
    current = type(record)._default_manager.select_for_update().get(pk=record.pk)
    edit_check(current, edit_version=edit_version)
    return current


def edit_stamp(record, *, by) -> list[str]:
    """Move ``record``'s version on, as saved by ``by`` now; the names of the fields to save."""
    record.edit_version += 1
    if not isinstance(record, EditVersioned):
        return ["edit_version"]
    record.edited_by = by
    record.edited_at = timezone.now()
    return ["edit_version", "edited_by", "edited_at"]


class EditVersionField(forms.IntegerField):
    """The hidden field of an edit form: the version of the record when the form was opened."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("initial", 0)
        super().__init__(**kwargs)


class EditVersionForm(forms.Form):
    """A plain form that edits an :class:`EditVersioned` record passed as ``record=`` (when shown)."""

    edit_version = EditVersionField()

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None:
            self.fields["edit_version"].initial = record.edit_version


class EditVersionModelForm(forms.ModelForm):
    """A model form of an :class:`EditVersioned` record: the version comes from the instance."""

    edit_version = EditVersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edit_version"].initial = self.instance.edit_version


class EditVersionAdminForm(EditVersionModelForm):
    """The admin's change form: the admin saves in the transaction that validates the form, so
    the row is locked and its version checked here, and the refusal shows on the form."""

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and data.get("edit_version") is not None:
            try:
                edit_lock(self.instance, edit_version=data["edit_version"])
            except StaleEdit as error:
                self.add_error(None, error)
        return data


class EditVersionAdminMixin:
    """For the ModelAdmin of an :class:`EditVersioned` model: two people changing the same row in
    the admin never both win silently."""

    form = EditVersionAdminForm

    def get_exclude(self, request, obj=None):
        # The model's edit_version is not editable: only the form's own hidden field carries it.
        return [*(super().get_exclude(request, obj) or ()), "edit_version"]

    def save_model(self, request, obj, form, change):
        if change:
            edit_stamp(obj, by=request.user)
        super().save_model(request, obj, form, change)
