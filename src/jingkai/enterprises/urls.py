from django.urls import include, path

from jingkai.core import import_views
from jingkai.enterprises import views, views_anonymise, views_io, views_roll
from jingkai.enterprises.importers import EnterpriseImporter
from jingkai.enterprises.importers_roll import ScaleRollImporter

importer = {"importer": EnterpriseImporter}
roll_importer = {"importer": ScaleRollImporter}
# The 规上名录 import: its own namespace (enterprises:scale_roll:import …), as the kernel's pages name them.
scale_roll_patterns = [
    path("", import_views.upload, roll_importer, name="import"),
    path("<int:batch_id>/", import_views.preview, roll_importer, name="import_preview"),
]
app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("export.xlsx", views_io.export_xlsx, name="export"),
    path("import/", import_views.upload, importer, name="import"),
    path("import/template.xlsx", import_views.template, importer, name="import_template"),
    path("import/<int:batch_id>/", import_views.preview, importer, name="import_preview"),
    path("scale-roll/", views_roll.scale_roll, name="scale_roll"),
    path("scale-roll/import/", include((scale_roll_patterns, "scale_roll"))),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/history/", views.enterprise_history, name="history"),
    path("contacts/anonymise/", views_anonymise.search, name="anonymise_search"),
    path("contacts/<int:pk>/anonymise/", views_anonymise.confirm, name="anonymise"),
]
