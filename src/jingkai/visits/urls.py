from django.urls import path

from jingkai.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("export.xlsx", views.visit_export, name="export"),
    path("new/", views.visit_create, name="create"),
    path("not-visited/", views.not_visited, name="not_visited"),
    path("not-visited/export.xlsx", views.not_visited_export, name="not_visited_export"),
    path("grids/<str:code>/", views.grid_dashboard, name="dashboard"),
    path("grids/<str:code>/figures.xlsx", views.grid_dashboard_export, name="dashboard_export"),
    path("<int:pk>/", views.visit_detail, name="detail"),
]
