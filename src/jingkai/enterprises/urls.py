from django.urls import path

from jingkai.core import import_views
from jingkai.enterprises import views, views_io
from jingkai.enterprises.importers import EnterpriseImporter

importer = {"importer": EnterpriseImporter}
app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("export.xlsx", views_io.export_xlsx, name="export"),
    path("import/", import_views.upload, importer, name="import"),
    path("import/template.xlsx", import_views.template, importer, name="import_template"),
    path("import/<int:batch_id>/", import_views.preview, importer, name="import_preview"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
]
