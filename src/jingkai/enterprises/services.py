"""Enterprise verbs. Views, the API and importers call these; each runs in one transaction.

History (who, when, before, after) is written by simple-history on save; callers pass the acting
user so that history rows name them even outside a web request (imports, the API, commands).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from jingkai.core import uscc as uscc_rules
from jingkai.enterprises import industry
from jingkai.enterprises.choices import HMT_COUNTRIES, Origin
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.permissions import can_create_enterprise, can_edit_enterprise

# Fields a create/update may set (everything else is derived or system-owned).
EDITABLE_FIELDS = [
    "uscc",
    "uscc_override_reason",
    "name",
    "short_name",
    "english_name",
    "founded_on",
    "status",
    "industry_code",
    "main_products",
    "origin",
    "origin_country",
    "registered_capital",
    "registered_capital_currency",
    "total_investment",
    "total_investment_currency",
    "land_area_mu",
    "employees",
    "technical_staff",
    "listing_market",
    "stock_code",
    "listed_on",
    "group",
    "park",
    "building",
    "grid",
    "community",
    "address",
]


def check_uscc(code: str, override_reason: str, user, *, field: str = "uscc") -> str:
    """Normalise a code; a failing one is an error unless a zone admin records a reason (RULES.md §1)."""
    result = uscc_rules.validate(code)
    if result.valid:
        return result.code
    if override_reason.strip():
        if user is not None and user.is_zone_admin:
            return result.code
        raise ValidationError(
            {
                field: _("%(reason)s; only a zone administrator may accept such a code, with a reason")
                % {"reason": result.reason}
            }
        )
    raise ValidationError({field: result.reason})


def clean_enterprise_data(data: dict, user, instance: Enterprise | None = None) -> dict:
    """Cross-field rules shared by forms, the API and the importer. Raises ValidationError by field."""
    errors: dict[str, list[str]] = {}
    reason = (data.get("uscc_override_reason") or "").strip()
    data["uscc_override_reason"] = reason
    if "uscc" in data:
        try:
            data["uscc"] = check_uscc(data["uscc"], reason, user)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if uscc_rules.is_valid(data["uscc"]):
                data["uscc_override_reason"] = ""  # nothing to excuse
    if data.get("industry_code"):
        try:
            data["industry_code"] = industry.normalize_industry_code(data["industry_code"])
        except industry.IndustryCodeError as exc:
            errors.setdefault("industry_code", []).append(str(exc))
    origin = data.get("origin", instance.origin if instance else Origin.DOMESTIC)
    country = (data.get("origin_country", instance.origin_country if instance else "") or "").upper()
    if "origin_country" in data:
        data["origin_country"] = country
    if origin == Origin.DOMESTIC and country:
        errors.setdefault("origin_country", []).append(_("A domestic enterprise has no investor country."))
    if origin == Origin.FOREIGN and (not country or country in HMT_COUNTRIES):
        errors.setdefault("origin_country", []).append(
            _(
                "A foreign-funded enterprise needs its investor country (choose Hong Kong, Macao and Taiwan capital for HK/MO/TW)."
            )
        )
    if origin == Origin.HMT and country and country not in HMT_COUNTRIES:
        errors.setdefault("origin_country", []).append(
            _("Hong Kong, Macao and Taiwan capital must come from HK, MO or TW.")
        )
    park = data.get("park", instance.park if instance else None)
    building = data.get("building", instance.building if instance else None)
    if building is not None and (park is None or building.park_id != park.pk):
        errors.setdefault("building", []).append(_("The building is not in the chosen park."))
    employees = data.get("employees", instance.employees if instance else None)
    technical = data.get("technical_staff", instance.technical_staff if instance else None)
    if employees is not None and technical is not None and technical > employees:
        errors.setdefault("technical_staff", []).append(_("Technical staff cannot exceed employees."))
    for key in ("registered_capital", "total_investment", "land_area_mu"):
        value = data.get(key)
        if value is not None and value < 0:
            errors.setdefault(key, []).append(_("Must not be negative."))
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def create_enterprise(data: Mapping, user, *, reason: str = "") -> Enterprise:
    if not can_create_enterprise(user):
        raise PermissionDenied(_("Only a zone administrator may add enterprises."))
    values = clean_enterprise_data({k: v for k, v in data.items() if k in EDITABLE_FIELDS}, user)
    enterprise = Enterprise(**values, created_by=user)
    enterprise._history_user = user
    enterprise.full_clean()
    enterprise.save()
    if reason:
        update_change_reason(enterprise, reason)
    return enterprise


def changed_fields(enterprise: Enterprise, values: Mapping) -> dict:
    out = {}
    for key, value in values.items():
        current = getattr(enterprise, key)
        if current != value:
            out[key] = value
    return out


@transaction.atomic
def update_enterprise(enterprise: Enterprise, data: Mapping, user, *, reason: str = "") -> Enterprise:
    """Apply changed fields only; an update that changes nothing writes no history row."""
    if not can_edit_enterprise(user, enterprise):
        raise PermissionDenied(_("You may not edit this enterprise."))
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if (
        "uscc" in values
        and uscc_rules.normalize(values["uscc"]) == enterprise.uscc
        and "uscc_override_reason" not in values
    ):
        values["uscc_override_reason"] = enterprise.uscc_override_reason
    values = clean_enterprise_data(values, user, instance=enterprise)
    changes = changed_fields(enterprise, values)
    if not changes:
        return enterprise
    if not user.is_zone_admin and ({"grid", "community", "uscc"} & changes.keys()):
        # Moving an enterprise between grids or changing its identity is the zone's decision.
        raise PermissionDenied(_("Only a zone administrator may change the credit code, grid or community."))
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    for key, value in changes.items():
        setattr(locked, key, value)
    locked._history_user = user
    locked.full_clean()
    locked.save()
    if reason:
        update_change_reason(locked, reason)
    return locked
