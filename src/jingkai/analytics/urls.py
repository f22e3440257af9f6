from django.urls import path

from jingkai.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("by/<slug:by>/", views.breakdown, name="breakdown"),
    path("grids/<int:pk>/", views.grid_view, name="grid"),
    path("enterprises/<int:pk>/panel/", views.enterprise_panel, name="enterprise_panel"),
    path("export/<slug:kind>.xlsx", views.export, name="export"),
]
