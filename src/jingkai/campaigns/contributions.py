"""What the campaigns app adds elsewhere: the visit log's link to it, the reminder sweep and its demo chapter
(after the demands')."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jingkai.campaigns import demo, sweep
from jingkai.core.contributions import DemoChapter, Panel, Sweeper


def _campaigns_button(context, obj) -> str:
    """The visit log's link to the campaigns (visits and campaigns share one menu entry)."""
    return format_html(
        '<a class="btn btn-outline-primary" href="{}">{}</a>', reverse("campaigns:list"), _("Campaigns")
    )


CONTRIBUTIONS = [
    Panel("visits.actions", "campaigns", order=10, render=_campaigns_button),
    Sweeper(sweep.run, order=20),
    DemoChapter(demo.load, after=("demands",)),
]
