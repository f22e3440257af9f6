from django.contrib import admin
from django.urls import include, path

from jingkai.api.api import api

urlpatterns = [
    path("", include("jingkai.shell.urls")),
    path("", include("jingkai.core.urls")),
    path("account/", include("jingkai.accounts.urls")),
    path("enterprises/", include("jingkai.enterprises.urls")),
    path("grids/", include("jingkai.enterprises.urls_areas")),
    path("chains/", include("jingkai.chains.urls")),
    path("notifications/", include("jingkai.notifications.urls")),
    path("demands/", include("jingkai.demands.urls")),
    path("visits/", include("jingkai.visits.urls")),
    path("campaigns/", include("jingkai.campaigns.urls")),
    path("investment/", include("jingkai.investment.urls")),
    path("stats/", include("jingkai.stats.urls")),
    path("economy/", include("jingkai.analytics.urls")),
    path("evaluation/", include("jingkai.evaluation.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
