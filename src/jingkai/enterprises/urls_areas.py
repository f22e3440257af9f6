"""The grid, community and coverage pages under /grids/ (namespace "grids"; views in views_areas.py)."""

from django.urls import path

from jingkai.enterprises import views_areas as views

app_name = "grids"
urlpatterns = [
    path("", views.grid_list, name="list"),
    path("coverage/", views.coverage, name="coverage"),
    path("communities/", views.community_list, name="community_list"),
    path("communities/<str:code>/", views.community_detail, name="community_detail"),
    path("<str:code>/", views.grid_detail, name="detail"),
]
