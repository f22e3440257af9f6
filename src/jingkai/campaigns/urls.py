from django.urls import path

from jingkai.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/launch/", views.campaign_launch, name="launch"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/results/", views.campaign_results, name="results"),
    path("<int:pk>/results.xlsx", views.campaign_results_export, name="results_export"),
    path("<int:pk>/answer/<int:enterprise_id>/", views.campaign_answer, name="answer"),
    path("<int:pk>/targets/<int:target_id>/guide/", views.target_guide, name="guide"),
]
