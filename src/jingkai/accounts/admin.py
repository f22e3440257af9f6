"""django-otp registers its devices in the admin, where a zone administrator could read anyone's TOTP secret
and recovery codes. They are managed on the security administrator's page instead (accounts:sign_in_admin)."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
