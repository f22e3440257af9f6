"""{% enterprise_demands enterprise %}: the 诉求 panel of an enterprise's profile (scoped to the viewer)."""

from django import template
from django.utils import timezone

from jingkai.demands import services
from jingkai.demands.models import Demand
from jingkai.demands.queries import with_deadline_status

register = template.Library()


@register.inclusion_tag("demands/_enterprise_panel.html", takes_context=True)
def enterprise_demands(context, enterprise, limit: int = 5):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"visible": False}
    demands = with_deadline_status(
        Demand.objects.visible_to(user).filter(enterprise=enterprise), timezone.localdate()
    ).select_related("category__parent")
    return {
        "visible": True,
        "enterprise": enterprise,
        "demands": list(demands[:limit]),
        "open_count": demands.open().count(),
        "total": demands.count(),
        "can_file": services.may_file_for(user, enterprise),
    }
