"""Choices of the investment ledger: stages (in order), statuses, kinds, RAG, arrivals, figures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    APPROVED = "approved", _("Approved / filed")
    STARTED = "started", _("Construction started")
    PRODUCING = "producing", _("In production")
    FULL = "full", _("Full production")


STAGE_ORDER = [s.value for s in Stage]


class Status(models.TextChoices):
    NORMAL = "normal", _("Normal")
    DELAYED = "delayed", _("Delayed")
    STALLED = "stalled", _("Stalled")
    TERMINATED = "terminated", _("Terminated")


class ProjectKind(models.TextChoices):
    NEW = "new", _("New establishment")
    INCREASE = "increase", _("Capital increase")
    HEADQUARTERS = "headquarters", _("Headquarters")
    RND = "rnd", _("R&D centre")


class RAG(models.TextChoices):
    GREEN = "green", _("On time")
    AMBER = "amber", _("Due soon or late")
    RED = "red", _("Overdue")


class ArrivalKind(models.TextChoices):
    FOREIGN = "foreign", _("Foreign capital arrived (USD)")
    DOMESTIC = "domestic", _("Domestic capital arrived (RMB)")


class Figure(models.TextChoices):
    APPROVED = "approved_projects", _("Approved domestic and foreign projects")
    CONTRACT_FOREIGN = "contract_foreign", _("Contracted foreign capital")
    FOREIGN_ARRIVED = "foreign_arrived", _("Foreign capital arrived")
    KEY_PROJECTS = "key_projects", _("Newly recognised major projects")
    DOMESTIC_ARRIVED = "domestic_arrived", _("Domestic capital arrived")
    ABOVE_YI = "above_yi_filed", _("Filed projects of 100 million yuan or more")
