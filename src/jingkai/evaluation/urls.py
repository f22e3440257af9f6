from django.urls import path

from jingkai.core import import_views
from jingkai.evaluation import views
from jingkai.evaluation.importers import EvaluationInputImporter

importer = {"importer": EvaluationInputImporter}

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("new-year/", views.new_year, name="new_year"),
    path("import/", import_views.upload, importer, name="import"),
    path("import/template.xlsx", import_views.template, importer, name="import_template"),
    path("import/<int:batch_id>/", import_views.preview, importer, name="import_preview"),
    path("methods/<int:pk>/", views.method_page, name="method"),
    path("<int:year>/", views.run_page, name="run"),
    path("<int:year>/actions/", views.year_action, name="action"),
    path("<int:year>/results/", views.results, name="results"),
    path("<int:year>/results/export.xlsx", views.results_export, name="results_export"),
    path("<int:year>/enterprises/<int:pk>/", views.enterprise_result, name="enterprise"),
    path("<int:year>/enterprises/<int:pk>/correct/", views.correct_input, name="correct"),
    path("<int:year>/migration/", views.migration, name="migration"),
    path("<int:year>/leaders/", views.leaders, name="leaders"),
    path("<int:year>/policies/", views.policies, name="policies"),
]
