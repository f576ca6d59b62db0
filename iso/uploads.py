"""Uploaded files: what is accepted, where it is kept, and how it goes back out.

Every upload (form templates, evidence of corrective actions, kept records) is checked here by its
size and by its content, not by its name alone: a file named ``.pdf`` must begin like a PDF, a
``.docx`` must be a ZIP holding a Word document, a ``.txt`` must be text and not an HTML page.
Files are stored under MEDIA_ROOT, outside the web root, under random names; no URL serves them,
and a download goes through a view that checked the user's permission and calls
:func:`file_response`. A file stored by a transaction that then rolls back is removed with it
(:class:`PrivateFileStorage`): no row names it, so nobody could ever download or dispose of it.
"""

import os
import unicodedata
import uuid
import weakref
import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext


@dataclass(frozen=True)
class Kind:
    """An accepted kind of file: its label, the extensions it is uploaded under, its content type."""

    label: str
    extensions: tuple[str, ...]
    content_type: str


PDF = Kind("PDF", (".pdf",), "application/pdf")
PNG = Kind("PNG", (".png",), "image/png")
JPEG = Kind("JPEG", (".jpg", ".jpeg"), "image/jpeg")
DOCX = Kind("DOCX", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("XLSX", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = Kind("ODT", (".odt",), "application/vnd.oasis.opendocument.text")
ODS = Kind("ODS", (".ods",), "application/vnd.oasis.opendocument.spreadsheet")
TXT = Kind("TXT", (".txt",), "text/plain; charset=utf-8")
CSV = Kind("CSV", (".csv",), "text/csv; charset=utf-8")

#: Every kind accepted, in the order the refusal message lists them.
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, TXT, CSV)
_BY_EXTENSION = {extension: kind for kind in KINDS for extension in kind.extensions}

#: Beginnings that make a browser treat bytes as HTML (the WHATWG sniffing patterns), lowercased.
_HTML_OPENINGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<body", b"<svg", b"<?xml", b"<object",
    b"<embed", b"<style", b"<title", b"<a ", b"<img", b"<div", b"<table", b"<font", b"<br", b"<p>", b"<h1",
    b"<!--",
)


def kind_for_name(name: str) -> Kind | None:
    """The kind a file's name claims, from its extension; None when the extension is not accepted."""
    return _BY_EXTENSION.get(os.path.splitext(name)[1].lower())


def _read_all(fileobj) -> bytes:
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    return data


def _zip_kind(fileobj) -> Kind | None:
    """DOCX, XLSX, ODT or ODS by the parts inside the ZIP; None for any other ZIP."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                for kind in (ODT, ODS):
                    if mimetype == kind.content_type.encode():
                        return kind
                return None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        fileobj.seek(0)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def _text_kind(data: bytes) -> str | None:
    """Why ``data`` is not plain text, or None when it is UTF-8 text that no browser takes for HTML."""
    if b"\x00" in data:
        return gettext("binary data")
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return gettext("not UTF-8 text")
    opening = data.lstrip(b"\xef\xbb\xbf \t\r\n\x0c").lower()
    if opening.startswith(_HTML_OPENINGS):
        return gettext("an HTML page")
    return None


def _describe(data: bytes) -> str:
    """What the content looks like, in the words of the refusal."""
    head = data[:16]
    if head.startswith(b"MZ"):
        return gettext("a Windows program")
    if head.startswith(b"\x7fELF"):
        return gettext("a program")
    if head.startswith(b"PK\x03\x04"):
        return gettext("a ZIP archive")
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\x89PNG"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return _text_kind(data) or gettext("text")


def _matches(kind: Kind, fileobj, data: bytes) -> bool:
    if kind is PDF:
        return data.startswith(b"%PDF-")
    if kind is PNG:
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPEG:
        return data.startswith(b"\xff\xd8\xff")
    if kind in (DOCX, XLSX, ODT, ODS):
        return data.startswith(b"PK\x03\x04") and _zip_kind(fileobj) is kind
    return _text_kind(data) is None


def _accepted_list() -> str:
    return ", ".join(kind.label for kind in KINDS)


def original_name(name: str) -> str:
    """The file's own name as the user's computer gave it, without folders or control characters."""
    name = unicodedata.normalize("NFC", os.path.basename(str(name).replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "file"


def validate_upload(value) -> None:
    """Refuse a file that is too large, of a kind not accepted, or whose content is not what its name says.

    Used by every upload field, on the form and on the model; ``value`` is an uploaded file or a
    stored FieldFile. The message names the file and says what is accepted.
    """
    if not value:
        return
    # A stored file is named by what the user called it, not by its random stored name.
    name = getattr(getattr(value, "instance", None), "original_filename", "") or getattr(value, "name", "") or ""
    name = original_name(name)
    limit = settings.UPLOAD_MAX_MEGABYTES
    if value.size > limit * 1024 * 1024:
        raise ValidationError(
            gettext("“%(name)s” is %(size).1f MB; the largest file accepted is %(limit)s MB.")
            % {"name": name, "size": value.size / (1024 * 1024), "limit": limit},
            code="file_too_large",
        )
    kind = kind_for_name(name)
    if kind is None:
        raise ValidationError(
            gettext("“%(name)s” is not a kind of file accepted here. Accepted: %(kinds)s.")
            % {"name": name, "kinds": _accepted_list()},
            code="file_kind",
        )
    if getattr(value, "closed", False) and hasattr(value, "open"):
        value.open("rb")  # a stored FieldFile checked again by full_clean()
    data = _read_all(value)
    if not _matches(kind, value, data):
        raise ValidationError(
            gettext("“%(name)s” is named as a %(kind)s file, but its content is %(actual)s; it was refused.")
            % {"name": name, "kind": kind.label, "actual": _describe(data)},
            code="file_content",
        )


@deconstructible
class RandomName:
    """``upload_to`` for every upload: ``<folder>/<year>/<uuid><extension>``.

    The stored name tells nothing and cannot be guessed or collide; the name the user gave is kept
    in the model's ``original_filename`` for the download.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        kind = kind_for_name(filename)
        extension = os.path.splitext(filename)[1].lower() if kind else ""
        return f"{self.folder}/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


def _remove_unless_committed(storage, name: str, committed: list[bool]) -> None:
    if not committed[0]:
        storage.delete(name)


class _KeptOnCommit:
    """A commit hook of the transaction that stored file ``name``: run on commit, it keeps the file.

    Django has no rollback hook, but a rollback (of the transaction or of a savepoint inside it)
    drops the commit hooks registered in it; the finalizer of a hook dropped unrun removes the file.
    """

    def __init__(self, storage, name: str):
        self.committed = [False]
        weakref.finalize(self, _remove_unless_committed, storage, name, self.committed)

    def __call__(self):
        self.committed[0] = True


class PrivateFileStorage(FileSystemStorage):
    """Files under MEDIA_ROOT that have no URL: they are served only by permission-checked views.

    A file is written at once (its hash and checks need it) and removed again if the transaction
    that stored it rolls back; outside a transaction it simply stays.
    """

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(f"{name} is private: download it through its view, never by URL.")

    def _save(self, name, content):
        name = super()._save(name, content)
        transaction.on_commit(_KeptOnCommit(self, name))
        return name


class PrivateFileInput(forms.ClearableFileInput):
    """The file input of an upload field: shows the name the user gave instead of a link."""

    template_name = "iso/widgets/private_file_input.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.is_initial(value):
            instance = getattr(value, "instance", None)
            context["widget"]["display_name"] = getattr(instance, "original_filename", "") or original_name(value.name)
        return context


class UploadField(forms.FileField):
    """A form's file field with the size and content checks of :func:`validate_upload`."""

    widget = PrivateFileInput
    default_validators = [validate_upload]


def file_response(field_file, *, filename: str = "") -> FileResponse:
    """Send a stored file as a download under its original name, with a content type nothing can sniff.

    The caller has checked that the user may see the object the file belongs to.
    """
    filename = original_name(filename or field_file.name)
    kind = kind_for_name(filename) or kind_for_name(field_file.name)
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser opened it in place, it would run no script and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

