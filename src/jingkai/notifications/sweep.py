"""The sweep's last step: e-mail the notifications the other sweepers produced, one digest per recipient.

Runs outside any transaction, so no SMTP call waits while rows are locked. A mail server failing half-way is
logged (an error, with the cause) and counted; what was delivered is marked, and the next run sends the rest.
"""

from __future__ import annotations

import logging

from jingkai.notifications.services import DeliveryFailed, send_pending_emails

logger = logging.getLogger(__name__)


def run(now, stdout=None) -> dict:
    try:
        return {"sent": send_pending_emails()}
    except DeliveryFailed as failed:
        logger.error("%s", failed)
        return {"sent": failed.sent, "undelivered": failed.waiting}
