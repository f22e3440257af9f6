"""The evaluation app's choices (models.py imports them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Population(models.TextChoices):
    ABOVE = "above", _("Above designated size")
    BELOW = "below", _("Below designated size")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published for objections")
    FINAL = "final", _("Final")


class ResultStatus(models.TextChoices):
    CLASSED = "classed", _("Classed")
    NOT_CLASSED = "not_classed", _("Not classed")
    EXCLUDED = "excluded", _("Not evaluated (out of scope)")
    NOT_EVALUATED = "not_evaluated", _("No method for its population")


class PolicyItem(models.TextChoices):
    """The differentiated-policy rows the 管委会 fills in per class (RULES.md §3)."""

    ELECTRICITY = "electricity", _("Electricity price")
    WATER = "water", _("Water price")
    GAS = "gas", _("Gas price")
    EMISSIONS = "emissions", _("Emission charges")
    LAND = "land", _("Land use")
    FUNDING = "funding", _("Funding and awards")
    ENERGY_QUOTA = "energy_quota", _("Energy-use quota")
    OTHER = "other", _("Other")


VISIBLE_TO_ENTERPRISES = (RunStatus.PUBLISHED, RunStatus.FINAL)
# The annual inputs, in 万元 (money), 亩, 吨标准煤, 万千瓦时, 吨, 人 (method.INPUT_COLUMNS).
NUMBER_FIELDS = (
    "tax",
    "value_added",
    "output",
    "revenue",
    "rd",
    "energy_tce",
    "electricity",
    "emissions",
    "employees",
)
LAND_FIELDS = ("land_own_mu", "land_leased_out_mu", "land_leased_in_mu")
# The flags and counts the shipped methods name (flag_<name> input columns).
FLAG_NAMES = (
    "under_construction",
    "high_tech",
    "specialised",
    "rd_institutions",
    "safety_accidents",
    "environmental_penalties",
)
