from django.urls import path

from jingkai.accounts import views

app_name = "accounts"

urlpatterns = [
    path("password/", views.password_change, name="password_change"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("sign-in/", views.sign_in_admin, name="sign_in_admin"),
    path("sign-in/unlock/", views.unlock, name="unlock"),
    path("sign-in/<int:user_id>/otp-reset/", views.otp_reset, name="otp_reset"),
]
