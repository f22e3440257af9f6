from django.urls import path

from jingkai.core import import_views
from jingkai.stats import views
from jingkai.stats.importers import StatsImporter

importer = {"importer": StatsImporter}

app_name = "stats"
urlpatterns = [
    path("import/", import_views.upload, importer, name="import"),
    path("import/<int:batch_id>/", import_views.preview, importer, name="import_preview"),
    path("templates/", views.templates, name="templates"),
    path("scale-roll/", views.scale_roll, name="scale_roll"),
    path("templates/<int:pk>/", views.templates, name="template_edit"),
]
