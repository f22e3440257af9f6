from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    RELOCATED = "relocated", _("Moved out")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Licence revoked")


class Origin(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic capital")
    FOREIGN = "foreign", _("Foreign capital")
    HMT = "hmt", _("Hong Kong, Macao and Taiwan capital")


# Investor country (ISO 3166-1 alpha-2) -> how officials name the capital (日资, 德资 …).
COUNTRY_NAMES = {
    "JP": ("日本", "日资"),
    "DE": ("德国", "德资"),
    "US": ("美国", "美资"),
    "KR": ("韩国", "韩资"),
    "SG": ("新加坡", "新加坡资"),
    "FR": ("法国", "法资"),
    "CH": ("瑞士", "瑞士资"),
    "NL": ("荷兰", "荷资"),
    "GB": ("英国", "英资"),
    "IT": ("意大利", "意资"),
    "SE": ("瑞典", "瑞典资"),
    "AT": ("奥地利", "奥资"),
    "HK": ("中国香港", "港资"),
    "MO": ("中国澳门", "澳资"),
    "TW": ("中国台湾", "台资"),
    "VG": ("英属维尔京群岛", "维尔京群岛资"),  # not 外资: that is every foreign capital (Origin.FOREIGN)
}
HMT_COUNTRIES = {"HK", "MO", "TW"}


class ListingMarket(models.TextChoices):
    SSE = "sse", _("Shanghai main board")
    SZSE = "szse", _("Shenzhen main board")
    CHINEXT = "chinext", _("ChiNext")
    STAR = "star", _("STAR Market")
    BSE = "bse", _("Beijing Stock Exchange")
    HKEX = "hkex", _("Hong Kong main board")
    HKEX_GEM = "hkex_gem", _("Hong Kong GEM")
    NEEQ = "neeq", _("NEEQ")
    OVERSEAS = "overseas", _("Overseas exchange")


class HonourKind(models.TextChoices):
    HIGH_TECH = "high_tech", _("High-tech enterprise")
    TECH_SME = "tech_sme", _("Technology-based SME")
    INNOVATIVE_SME = "innovative_sme", _("Innovative SME")
    SPECIALISED = "specialised", _("Specialised and innovative SME")
    LITTLE_GIANT = "little_giant", _("Little giant")
    MU_LEADER = "mu_leader", _("Per-mu benefit leader")
    RND_CENTRE = "rnd_centre", _("R&D centre")
    ACADEMICIAN = "academician", _("Academician workstation")
    OTHER = "other", _("Other honour")


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class CapitalChangeKind(models.TextChoices):
    FOUNDING = "founding", _("Founding")
    INCREASE = "increase", _("Capital increase")
    DECREASE = "decrease", _("Capital decrease")
    OTHER = "other", _("Other change")
