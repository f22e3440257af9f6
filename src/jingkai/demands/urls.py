from django.urls import path

from jingkai.demands import views, views_io

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("new/", views.demand_create, name="create"),
    path("similar/", views.demand_similar, name="similar"),
    path("dashboard/", views.demand_dashboard, name="dashboard"),
    path("export.xlsx", views_io.export_xlsx, name="export"),
    path("import/", views_io.import_upload, name="import"),
    path("import/template.xlsx", views_io.import_template, name="import_template"),
    path("import/<int:batch_id>/", views_io.import_preview, name="import_preview"),
    path("<int:pk>/", views.demand_detail, name="detail"),
    path("<int:pk>/transition/", views.demand_transition, name="transition"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
]
