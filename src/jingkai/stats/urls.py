from django.urls import path

from jingkai.stats import views

app_name = "stats"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<int:batch_id>/", views.import_preview, name="import_preview"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/", views.templates, name="template_edit"),
]
