from django.urls import path

from . import views
from .models import QmsDocument

app_name = "qms"


def _document_urls(kind: str) -> list:
    """The pages of one kind of QMS document: its overview and its revisions."""
    given = {"kind": kind}
    return [
        path(f"{kind}/", views.document_detail, given, name=f"{kind}_detail"),
        path(f"{kind}/new/", views.document_create, given, name=f"{kind}_create"),
        path(f"{kind}/revisions/new/", views.revision_start, given, name=f"{kind}_revision_start"),
        path(f"{kind}/revisions/<int:number>/", views.revision_detail, given, name=f"{kind}_revision_detail"),
        path(f"{kind}/revisions/<int:number>/edit/", views.revision_edit, given, name=f"{kind}_revision_edit"),
        path(f"{kind}/revisions/<int:number>/print/", views.revision_print, given, name=f"{kind}_revision_print"),
        path(
            f"{kind}/revisions/<int:number>/transition/", views.revision_transition, given,
            name=f"{kind}_revision_transition",
        ),
    ]


urlpatterns = [
    path("", views.index, name="index"),
    *_document_urls(QmsDocument.Kind.SCOPE),
    *_document_urls(QmsDocument.Kind.POLICY),
    path("scope/announcement/", views.scope_announcement, name="scope_announcement"),
    path("policy/revisions/<int:number>/acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
    path("policy/acknowledgements/", views.policy_acknowledgements, name="policy_acknowledgements"),
]
