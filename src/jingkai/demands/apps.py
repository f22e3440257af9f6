from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def department_enterprises(user):
    """Enterprises a department handler may open: those of demands ever routed to their department."""
    from django.db.models import Q

    from jingkai.demands.models import Demand

    if not user.department_id:
        return Q(pk__in=[])
    return Q(pk__in=Demand.objects.visible_to(user).values("enterprise_id"))


class DemandsConfig(AppConfig):
    name = "jingkai.demands"
    label = "demands"
    verbose_name = _("Demands")

    def ready(self):
        from jingkai.core.scoping import DEPARTMENT_ENTERPRISE_SCOPES

        if department_enterprises not in DEPARTMENT_ENTERPRISE_SCOPES:
            DEPARTMENT_ENTERPRISE_SCOPES.append(department_enterprises)
