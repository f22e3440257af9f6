from django.urls import path

from jingkai.core import views_security

app_name = "security"

urlpatterns = [
    path("roles/", views_security.roles, name="roles"),
    path("roles/<int:pk>/", views_security.role, name="role"),
]
