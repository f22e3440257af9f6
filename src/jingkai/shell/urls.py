from django.urls import path

from jingkai.shell import views

urlpatterns = [
    path("", views.home, name="home"),
]
