from django.urls import path

from jingkai.core import views_audit

app_name = "audit"

urlpatterns = [
    path("", views_audit.log, name="log"),
    path("export.xlsx", views_audit.export_xlsx, name="export"),
    path("export.csv", views_audit.export_csv, name="export_csv"),
]
