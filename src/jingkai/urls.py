from django.contrib import admin
from django.urls import include, path

from jingkai.api.api import api

urlpatterns = [
    path("", include("jingkai.core.urls")),
    path("enterprises/", include("jingkai.enterprises.urls")),
    path("grids/", include("jingkai.grids.urls")),
    path("chains/", include("jingkai.chains.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
