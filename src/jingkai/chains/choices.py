"""Choices of the chains app: a member's role in a chain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainRole(models.TextChoices):
    LEADER = "leader", _("Chain leader")
    SUPPLIER = "supplier", _("Supporting supplier")
    MEMBER = "member", _("Member")
