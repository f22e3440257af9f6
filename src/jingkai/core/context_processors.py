from django.conf import settings
from django.utils import timezone

from jingkai.core.calendar import uncovered_years


def platform(request):
    context = {"zone_name": settings.JINGKAI_ZONE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.role != "enterprise":
        # Deadlines run up to a year ahead: warn while this or next year has no official calendar.
        today = timezone.localdate()
        context["calendar_uncovered_years"] = uncovered_years([today.year, today.year + 1])
    return context
