"""The demo's second factor: every demo user whose role needs one gets a TOTP device with this fixed,
documented secret (README, "Demo logins"), so a newcomer can add it to an authenticator app (or compute the
code: `python -m jingkai.accounts.demo`). Never used outside the demo: only users of the demo e-mail domain
get it, and the verification page shows it only to a user whose device holds it."""

from __future__ import annotations

import base64
import time

DEMO_TOTP_SECRET = "JINGKAIDEMOSECRETJINGKAIDEMOSECR"  # base32, 20 bytes
DEMO_TOTP_KEY = base64.b32decode(DEMO_TOTP_SECRET).hex()


def is_demo_device(device) -> bool:
    return device is not None and device.key == DEMO_TOTP_KEY


def demo_code(at: float | None = None) -> str:
    """The demo's six-digit code at `at` (now by default), as an authenticator app shows it."""
    from django_otp.oath import TOTP

    counter = TOTP(bytes.fromhex(DEMO_TOTP_KEY), step=30, t0=0, digits=6)
    counter.time = time.time() if at is None else at
    return f"{counter.token():06d}"


def enrol_demo_users(users) -> int:
    """A confirmed TOTP device with the demo secret for each of `users` whose role needs a second factor
    (whether or not JINGKAI_OTP_REQUIRED is on now: the demo database outlives a setting). Returns how many."""
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    roles = set(settings.JINGKAI_OTP_ROLES)
    devices = [
        TOTPDevice(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
        for user in users
        if user.is_superuser or user.role in roles
    ]
    TOTPDevice.objects.bulk_create(devices)
    return len(devices)


if __name__ == "__main__":
    print(demo_code())
