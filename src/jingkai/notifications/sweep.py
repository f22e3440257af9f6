"""The sweep's last step: e-mail the notifications the other sweepers produced, one digest per recipient."""

from __future__ import annotations

from jingkai.notifications.services import send_pending_emails


def run(now, stdout=None) -> dict:
    return {"sent": send_pending_emails()}
