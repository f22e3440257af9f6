"""Choices of the grids app: the duty of a grid assignment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRole(models.TextChoices):
    LEADER = "leader", _("Linked zone leader")
    OFFICER = "officer", _("Grid officer")
