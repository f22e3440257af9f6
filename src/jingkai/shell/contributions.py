"""The shell's own navigation entries: the home page, and Django's administration for those who may use it;
and the kernel's home cards (the kernel names no app, so the shell declares them)."""

from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from jingkai.core import backup
from jingkai.core.contributions import HomeCard, NavEntry


def _backup_card(request) -> dict:
    """The last good backup for the system administrator, with a warning past the RPO (docs/security.md §6)."""
    state = backup.status(timezone.now())
    if state["at"] is None:
        text = gettext_now("No backup recorded: run `jingkai backup` and schedule it.")
    elif state["overdue"]:
        text = gettext_now(
            "Older than the recovery point objective of %(rpo)d hours: check the backup schedule."
        ) % {"rpo": state["rpo_hours"]}
    else:
        text = gettext_now("%(hours).1f hours ago (objective: %(rpo)d hours)") % {
            "hours": state["age_hours"],
            "rpo": state["rpo_hours"],
        }
    return {
        "label": gettext_now("Last good backup"),
        "at": timezone.localtime(state["at"]) if state["at"] else None,
        "overdue": state["overdue"],
        "text": text,
    }


CONTRIBUTIONS = [
    NavEntry("home", _("Home"), order=10),
    NavEntry(
        "admin:index", _("Administration"), permission="core.can_use_admin_site", area="tools", order=10
    ),
]
# issue 12 — ops: the last good backup, for the system administrator.
CONTRIBUTIONS.append(
    HomeCard("backup", "shell/backup_card.html", _backup_card, order=5, permission="core.is_system_admin")
)
