from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("", views.objective_list, name="objective_list"),
    path("new/", views.objective_create, name="objective_create"),
    path("export.<str:fmt>", views.objective_export, name="objective_export"),
    path("<str:reference>/", views.objective_detail, name="objective_detail"),
    path("<str:reference>/edit/", views.objective_edit, name="objective_edit"),
    path("<str:reference>/values/", views.objective_value_record, name="objective_value_record"),
    path("<str:reference>/nonconformity/", views.objective_raise_nonconformity, name="objective_raise_nonconformity"),
]
