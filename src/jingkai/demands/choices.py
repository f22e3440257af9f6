"""Choices of the demand loop: states (and the groups of them the rules use), channels, ratings, extensions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged")


OPEN_STATES = (
    DemandState.SUBMITTED,
    DemandState.ACCEPTED,
    DemandState.ASSIGNED,
    DemandState.IN_PROGRESS,
)


# States whose deadline escalates when missed (a replied demand waits for the enterprise's rating).
ESCALATING_STATES = OPEN_STATES


FINAL_STATES = (DemandState.CLOSED, DemandState.REJECTED, DemandState.MERGED)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Enterprise portal")
    VISIT = "visit", _("Visit")
    HOTLINE = "hotline", _("Hotline")
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Batch import")


class Rating(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


SATISFIED_MIN = 3  # satisfaction rate = share of ratings ≥ 3 (基本满意 or better)


class ExtensionStatus(models.TextChoices):
    NONE = "", _("None")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# The channels staff file through (an enterprise files through the portal).
STAFF_CHANNELS = [Channel.HOTLINE, Channel.STAFF, Channel.VISIT]
