# The home page ("", name "home") is the shell's (jingkai.shell.urls), mounted before these.
from django.urls import include, path

from jingkai.core import csp, views, views_personal

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("csp-report", csp.report, name="csp_report"),
    # 三员分立 (docs/security.md §3): the audit administrator's log, the security administrator's roles.
    path("audit/", include("jingkai.core.urls_audit")),
    path("security/", include("jingkai.core.urls_security")),
    # Background jobs (jingkai.core.jobs): my jobs, a job's page and progress, its retry and download.
    path("jobs/", include("jingkai.core.urls_jobs")),
    path("personal/reveal/<str:label>/<int:pk>/<str:field>/", views_personal.reveal, name="personal_reveal"),
]
