"""Where an enterprise sits, announced when it changes: its grid, park, group, capital origin and 规上 status.

The apps that keep figures by these (the analytics rollups) listen instead of being called, so the registry
never names them (docs/development.md, layers). One place sees every save, whoever makes it (the services, the
enterprise import, the 规上 roll, the admin site): the model signals below, connected in apps.ready(). Old
values come from the row as it was read (models.LoadedRow), so a save costs no extra query; a row saved without
having been read (rare: an instance built with a pk) is read once before it is saved.

Events (core.contributions.announce), each with one list of serialisable changes (ids, years, strings), announced
inside the saving transaction; a listener that acts on them defers its work to the commit:

- PLACEMENT_CHANGED: [{"enterprise": id, "old": {field: value}, "new": {field: value}}] for the fields of
  PLACEMENT_FIELDS that changed (origin and origin_country always together);
- SCALE_CHANGED: [{"enterprise": id, "year": year}] when a year's 规上 status was added, changed or removed.
chains/placement.py announces the chain memberships and the digital-economy flag the same way.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from jingkai.core.contributions import announce

PLACEMENT_CHANGED = "enterprises.placement_changed"
SCALE_CHANGED = "enterprises.scale_changed"

PLACEMENT_FIELDS = ("grid_id", "park_id", "group_id", "origin", "origin_country")
TOGETHER = {"origin": ("origin", "origin_country"), "origin_country": ("origin", "origin_country")}


def loaded_values(instance, attnames) -> dict | None:
    """The values these fields had when the row was read (None for a row not yet in the database)."""
    if instance._state.adding:
        return None
    names, values = getattr(instance, "_loaded_row", (None, None))
    if names is not None and all(name in names for name in attnames):
        row = dict(zip(names, values, strict=True))
        return {name: row[name] for name in attnames}
    stored = getattr(instance, "_stored_before_save", None)
    if stored is not None:
        return stored
    return type(instance)._base_manager.filter(pk=instance.pk).values(*attnames).first()


def remember(instance, attnames) -> None:
    """After a save: the row now holds these values (a second save compares with them)."""
    instance._loaded_row = (list(attnames), [getattr(instance, name) for name in attnames])
    instance._stored_before_save = None


def read_unknown_before_save(instance, attnames) -> None:
    """pre_save: a row saved without having been read is read once now (its old values are gone after)."""
    if instance._state.adding:
        return
    names, _values = getattr(instance, "_loaded_row", (None, None))
    if names is None or not all(name in names for name in attnames):
        instance._stored_before_save = (
            type(instance)._base_manager.filter(pk=instance.pk).values(*attnames).first()
        )


def _enterprise_before(sender, instance, raw=False, **kwargs):
    if not raw:
        read_unknown_before_save(instance, PLACEMENT_FIELDS)


def _enterprise_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = None if created else loaded_values(instance, PLACEMENT_FIELDS)
    remember(instance, PLACEMENT_FIELDS)
    if old is None:  # a new enterprise has no figures yet
        return
    changed = {name for name in PLACEMENT_FIELDS if old[name] != getattr(instance, name)}
    for name in list(changed):
        changed.update(TOGETHER.get(name, ()))
    if changed:
        fields = sorted(changed)
        announce(
            PLACEMENT_CHANGED,
            [
                {
                    "enterprise": instance.pk,
                    "old": {name: old[name] for name in fields},
                    "new": {name: getattr(instance, name) for name in fields},
                }
            ],
        )


SCALE_FIELDS = ("enterprise_id", "year", "above_size")


def _scale_before(sender, instance, raw=False, **kwargs):
    if not raw:
        read_unknown_before_save(instance, SCALE_FIELDS)


def _scale_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = None if created else loaded_values(instance, SCALE_FIELDS)
    remember(instance, SCALE_FIELDS)
    changes = []
    if old is None:
        if instance.above_size:
            changes.append({"enterprise": instance.enterprise_id, "year": instance.year})
    elif tuple(old[name] for name in SCALE_FIELDS) != tuple(getattr(instance, name) for name in SCALE_FIELDS):
        changes.append({"enterprise": old["enterprise_id"], "year": old["year"]})
        changes.append({"enterprise": instance.enterprise_id, "year": instance.year})
    if changes:
        announce(SCALE_CHANGED, changes)


def _scale_deleted(sender, instance, **kwargs):
    if instance.above_size:
        announce(SCALE_CHANGED, [{"enterprise": instance.enterprise_id, "year": instance.year}])


def connect() -> None:
    from jingkai.enterprises.models import AnnualScale, Enterprise

    pre_save.connect(_enterprise_before, sender=Enterprise, dispatch_uid="placement-enterprise-before")
    post_save.connect(_enterprise_saved, sender=Enterprise, dispatch_uid="placement-enterprise-saved")
    pre_save.connect(_scale_before, sender=AnnualScale, dispatch_uid="placement-scale-before")
    post_save.connect(_scale_saved, sender=AnnualScale, dispatch_uid="placement-scale-saved")
    post_delete.connect(_scale_deleted, sender=AnnualScale, dispatch_uid="placement-scale-deleted")
