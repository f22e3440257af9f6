from django.urls import path

from jingkai.chains import views

app_name = "chains"
urlpatterns = [
    path("", views.chain_list, name="list"),
    path("<slug:code>/", views.chain_detail, name="detail"),
]
