"""What the campaigns app adds elsewhere: the visit log's link to it, the reminder sweep, the home page's to-do
lines (answers missing in open campaigns) and its demo chapter (after the demands')."""

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.campaigns import demo, sweep
from jingkai.campaigns.choices import CampaignStatus
from jingkai.campaigns.models import CampaignTarget
from jingkai.core.contributions import DemoChapter, Panel, Sweeper, TodoItem
from jingkai.core.memo import per_request
from jingkai.core.models import Role


def _campaigns_button(context, obj) -> str:
    """The visit log's link to the campaigns (visits and campaigns share one menu entry)."""
    return format_html(
        '<a class="btn btn-outline-primary" href="{}">{}</a>', reverse("campaigns:list"), _("Campaigns")
    )


ROWS_SHOWN = 10  # open campaigns listed under the line


def _missing(request) -> list[dict]:
    """Per open campaign, the user's targets (visible_to) without an answer: one query."""

    def compute():
        rows = (
            CampaignTarget.objects.visible_to(request.user)
            .filter(campaign__status=CampaignStatus.OPEN, response__isnull=True)
            .order_by()
            .values("campaign_id", "campaign__title", "campaign__closes_on")
            .annotate(missing=Count("pk"), enterprise_id=Min("enterprise_id"))
            .order_by("campaign__closes_on", "campaign_id")
        )
        return list(rows)

    return per_request(request, "campaigns.missing", compute)


def _missing_count(request) -> int:
    return sum(row["missing"] for row in _missing(request))


def _staff_rows(request) -> list[dict]:
    return [
        {
            "label": row["campaign__title"],
            "url": reverse("campaigns:detail", args=[row["campaign_id"]])
            + "?"
            + urlencode({"answered": "no"}),
            "hint": _("%(count)d not answered, closes %(date)s")
            % {"count": row["missing"], "date": row["campaign__closes_on"].isoformat()},
            "status": "",
        }
        for row in _missing(request)[:ROWS_SHOWN]
    ]


def _contact_rows(request) -> list[dict]:
    # A contact answers for their one enterprise: each row opens the form.
    return [
        {
            "label": row["campaign__title"],
            "url": reverse("campaigns:answer", args=[row["campaign_id"], row["enterprise_id"]]),
            "hint": _("closes %(date)s") % {"date": row["campaign__closes_on"].isoformat()},
            "status": "",
        }
        for row in _missing(request)[:ROWS_SHOWN]
    ]


CONTRIBUTIONS = [
    Panel("visits.actions", "campaigns", order=10, render=_campaigns_button),
    Sweeper(sweep.run, order=20),
    TodoItem(
        "campaign_answers",
        gettext_lazy("Campaign answers missing"),
        _missing_count,
        lambda request: reverse("campaigns:list"),
        roles=(Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER),
        order=30,
        rows=_staff_rows,
    ),
    TodoItem(
        "campaigns_to_answer",
        gettext_lazy("Campaigns to answer"),
        _missing_count,
        lambda request: reverse("campaigns:list"),
        roles=(Role.ENTERPRISE,),
        order=20,
        rows=_contact_rows,
    ),
    DemoChapter(demo.load, after=("demands",)),
]
