# The home page ("", name "home") is the shell's (jingkai.shell.urls), mounted before these.
from django.urls import path

from jingkai.core import views, views_personal

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("personal/reveal/<str:label>/<int:pk>/<str:field>/", views_personal.reveal, name="personal_reveal"),
]
