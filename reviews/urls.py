from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("new/", views.review_create, name="review_create"),
    path("actions/", views.action_list, name="action_list"),
    path("report/<int:year>/", views.report_detail, name="report_detail"),
    path("report/<int:year>/print/", views.report_print, name="report_print"),
    path("report/<int:year>/xlsx/", views.report_xlsx, name="report_xlsx"),
    path("r/<str:reference>/", views.review_detail, name="review_detail"),
    path("r/<str:reference>/edit/", views.review_edit, name="review_edit"),
    path("r/<str:reference>/print/", views.review_print, name="review_print"),
    path("r/<str:reference>/<str:action>/", views.review_action, name="review_action"),
]
