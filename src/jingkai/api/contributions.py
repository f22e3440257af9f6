"""What the API adds to the site: the navbar link to its interactive documentation."""

from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import NavEntry

CONTRIBUTIONS = [
    NavEntry("api:openapi-view", _("API docs"), area="tools", order=20),
]
