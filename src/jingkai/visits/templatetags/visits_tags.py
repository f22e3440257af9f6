"""{% enterprise_visits enterprise %}: the "visit log" panel of an enterprise's profile (two queries)."""

from django import template

from jingkai.visits import services
from jingkai.visits.models import Visit

register = template.Library()
SHOWN = 5


@register.inclusion_tag("visits/_enterprise_panel.html", takes_context=True)
def enterprise_visits(context, enterprise):
    user = context["request"].user
    visits = Visit.objects.visible_to(user).filter(enterprise=enterprise)
    rows = list(visits.prefetch_related("visitors")[: SHOWN + 1])
    return {
        "enterprise": enterprise,
        "visits": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "can_log": services.can_log_visit(user, enterprise),
        "show_notes": services.can_see_notes(user),
    }
