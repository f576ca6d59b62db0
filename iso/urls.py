from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("procedures/", include("processes.urls")),
    path("cases/", include("cases.urls")),
    path("audits/", include("audits.urls")),
    path("records/", include("records.urls")),
    path("satisfaction/", include("satisfaction.urls")),
    path("objectives/", include("objectives.urls")),
    path("qms/", include("qms.urls")),
    path("reviews/", include("reviews.urls")),
    path("risks/", include("risks.urls")),
    path("admin/", admin.site.urls),
]
