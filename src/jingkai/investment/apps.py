from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "jingkai.investment"
    label = "investment"
    verbose_name = _("Investment")

    def ready(self):
        from jingkai.core.scoping import DEPARTMENT_ENTERPRISE_SCOPES
        from jingkai.investment.models import investment_department_enterprises

        if investment_department_enterprises not in DEPARTMENT_ENTERPRISE_SCOPES:
            DEPARTMENT_ENTERPRISE_SCOPES.append(investment_department_enterprises)
