from django.urls import path

from . import views

app_name = "processes"

urlpatterns = [
    path("", views.procedure_list, name="procedure_list"),
    path("new/", views.procedure_create, name="procedure_create"),
    path("master-list/", views.master_list, name="master_list"),
    path("master-list/print/", views.master_list_print, name="master_list_print"),
    path("<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("<str:code>/revisions/new/", views.revision_start, name="revision_start"),
    path("<str:code>/revisions/compare/", views.revision_compare, name="revision_compare"),
    path("<str:code>/revisions/<int:number>/", views.revision_detail, name="revision_detail"),
    path("<str:code>/revisions/<int:number>/edit/", views.revision_edit, name="revision_edit"),
    path("<str:code>/revisions/<int:number>/print/", views.revision_print, name="revision_print"),
    path("<str:code>/revisions/<int:number>/forms/<str:form_code>/file/", views.form_template_file, name="form_template_file"),
    path("<str:code>/revisions/<int:number>/transition/", views.revision_transition, name="revision_transition"),
    path("<str:code>/revisions/<int:number>/acknowledge/", views.revision_acknowledge, name="revision_acknowledge"),
]
