from django.urls import path

from jingkai.core import import_views
from jingkai.investment import views
from jingkai.investment.importers import LedgerImporter

importer = {"importer": LedgerImporter}

app_name = "investment"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("figures/", views.figures, name="figures"),
    path("monthly-report.xlsx", views.monthly_report, name="monthly_report"),
    path("import/", import_views.upload, importer, name="import"),
    path("import/<int:batch_id>/", import_views.preview, importer, name="import_preview"),
    path("enterprise/<int:pk>/panel/", views.enterprise_panel, name="enterprise_panel"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/stage/", views.stage_move, name="stage"),
    path("<int:pk>/arrivals/", views.add_arrival, name="add_arrival"),
    path("<int:pk>/follow-ups/", views.add_follow_up, name="add_follow_up"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/milestones/", views.set_milestone, name="milestone"),
]
