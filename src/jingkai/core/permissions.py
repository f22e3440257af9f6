"""Permission predicates, defined once in `<app>/permissions.py` and found by name.

    # demands/permissions.py
    @predicate
    def may_file_for(user, enterprise) -> bool: ...

registers "demands.may_file_for". Views and services call the function itself; templates ask
`{% can "demands.may_file_for" enterprise as allowed %}` (core's `jingkai` tag library); navigation entries, home
cards and panels name it in their `permission`. Every `<app>/permissions.py` is imported on the first lookup
by name, so a name is found whether or not its module was imported yet.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

_REGISTRY: dict[str, Callable[..., bool]] = {}


def predicate(func: Callable[..., bool]) -> Callable[..., bool]:
    """Register `func` as "<app label>.<function name>"; returns it unchanged."""
    config = apps.get_containing_app_config(func.__module__)
    if config is None:
        raise ImproperlyConfigured(f"{func.__module__}.{func.__name__} is not in an installed app")
    _REGISTRY[f"{config.label}.{func.__name__}"] = func
    return func


@functools.cache
def _discover() -> None:
    autodiscover_modules("permissions")


def get(name: str) -> Callable[..., bool]:
    if name not in _REGISTRY:
        _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ImproperlyConfigured(f"No permission predicate named {name!r}") from None


def allows(name: str | None, user, *args) -> bool:
    """Whether the named predicate allows the user (None: every signed-in, active user)."""
    if name is None:
        return bool(user is not None and user.is_authenticated and user.is_active)
    return bool(get(name)(user, *args))


def require(name: str, user, message, *args) -> None:
    """Raise PermissionDenied(message) unless the named predicate allows the user (for views and services)."""
    from django.core.exceptions import PermissionDenied

    if not allows(name, user, *args):
        raise PermissionDenied(message)


def names() -> list[str]:
    _discover()
    return sorted(_REGISTRY)


# --- the kernel's own predicates ----------------------------------------------------------------------


@predicate
def can_use_admin_site(user) -> bool:
    """Zone administrators (zone configuration) and system administrators (users only: core/admin.py keeps
    them to the user pages) who also hold is_staff; Django's default would let any is_staff in. The security
    and audit administrators have pages of their own, not the admin site."""
    from jingkai.core.models import Role

    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.role in (Role.ZONE_ADMIN, Role.SYSTEM_ADMIN)
    )


@predicate
def is_zone_admin(user) -> bool:  # by role: a superuser (a system administrator) is not one
    return bool(user is not None and user.is_authenticated and user.is_zone_admin)


@predicate
def is_staff_role(user) -> bool:
    """Zone staff of any kind: everyone signed in except enterprise contacts."""
    return bool(user is not None and user.is_authenticated and user.is_staff_role)


@predicate
def is_system_admin(user) -> bool:
    """三员: users and settings."""
    from jingkai.core.models import Role

    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.SYSTEM_ADMIN
    )


@predicate
def is_security_admin(user) -> bool:
    """三员: roles, unlocks, the security policy, second-factor resets, anonymisation."""
    from jingkai.core.models import Role

    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.SECURITY_ADMIN
    )


@predicate
def is_audit_admin(user) -> bool:
    """三员: reads the audit log, nothing else."""
    from jingkai.core.models import Role

    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role == Role.AUDIT_ADMIN
    )


@predicate
def can_reveal_user_phone(user, other) -> bool:
    """A staff member's phone in full (docs/security.md §4): zone staff (a colleague's work number), and the user."""
    return bool(user.is_active and (user.is_staff_role or user.pk == other.pk))
