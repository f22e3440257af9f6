"""Who sees personal data in full, and the reveal itself (docs/security.md §4).

`shown(user, obj, field)` is the value a page or an answer carries (masked, or in full for its owner);
`reveal(request, …)` the audited request for one value. The rules are declared next to each model
(`personal.revealable`), the predicates in the app's permissions.py.
"""

from __future__ import annotations

from django.conf import settings

from jingkai.core import permissions
from jingkai.core.personal import encrypted_fields, mask, rule_of


def may_reveal(user, obj) -> bool:
    rule = rule_of(type(obj))
    return bool(rule and user.is_authenticated and user.is_active and permissions.allows(rule.may, user, obj))


def sees_unmasked(user, obj) -> bool:
    rule = rule_of(type(obj))
    return bool(rule and rule.own and user.is_authenticated and rule.own(user, obj))


def shown(user, obj, field: str) -> str:
    """The value as this user sees it on a page or in an answer: in full if it is their own, else masked."""
    value = getattr(obj, field) or ""
    if not value:
        return ""
    if sees_unmasked(user, obj):
        return value
    return mask(value, obj._meta.get_field(field).kind)


def reveal(request, label: str, pk: int, field: str, reason: str):
    """The full value of one field of one object, for the request's user, audited (audit.Kind.REVEAL).

    An unknown object or field, or one the user does not see, is a 404; one they see but may not reveal a 403;
    a reason shorter than JINGKAI_PII_REASON_MIN_CHARS a ValidationError. Returns (object, value)."""
    from django.apps import apps
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.utils.translation import gettext as _

    from jingkai.core import audit

    user = request.user
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    rule = rule_of(model)
    names = {f.name for f in encrypted_fields(model)}
    if rule is None or field not in names or not user.is_authenticated:
        raise Http404
    obj = (rule.visible(user) if rule.visible else model.objects.none()).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if not (may_reveal(user, obj) or sees_unmasked(user, obj)):
        raise PermissionDenied(_("You may not see this personal data in full."))
    reason = " ".join((reason or "").split())
    minimum = settings.JINGKAI_PII_REASON_MIN_CHARS
    if len(reason) < minimum:
        raise ValidationError(
            {"reason": _("Say why you need the full value (at least %(n)d characters).") % {"n": minimum}}
        )
    reason = reason[:200]
    value = getattr(obj, field) or ""
    audit.record(
        audit.Kind.REVEAL,
        request=request,
        target=obj,
        summary=f"{model._meta.label_lower}.{field}",
        field=field,
        reason=reason,
    )
    return obj, value
