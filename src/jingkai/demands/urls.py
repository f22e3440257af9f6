from django.urls import path

from jingkai.core import import_views
from jingkai.demands import views, views_io
from jingkai.demands.importers import DemandImporter

importer = {"importer": DemandImporter}

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("new/", views.demand_create, name="create"),
    path("similar/", views.demand_similar, name="similar"),
    path("dashboard/", views.demand_dashboard, name="dashboard"),
    path("export.xlsx", views_io.export_xlsx, name="export"),
    path("import/", import_views.upload, importer, name="import"),
    path("import/template.xlsx", import_views.template, importer, name="import_template"),
    path("import/<int:batch_id>/", import_views.preview, importer, name="import_preview"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/transition/", views.demand_transition, name="transition"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
