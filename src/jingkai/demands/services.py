"""The demand loop's rules: filing, the transition table, deadlines.

Every state change goes through transition(): it looks the step up in TRANSITIONS, checks the actor's
role and the demand's state, locks the row (SELECT … FOR UPDATE; SQLite's IMMEDIATE transactions
serialise writers), refuses a stale version (optimistic concurrency: the caller read version n, someone
else already wrote n+1), writes the change with simple-history and appends a DemandEvent.

Refusals:
- TransitionForbidden (a PermissionDenied, HTTP 403): the actor's role may not take this step;
- TransitionConflict (HTTP 409): the demand's state does not allow the step, or it changed meanwhile;
  carries the current state;
- ValidationError (HTTP 422): a missing or bad parameter (reason, department, rating, date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.calendar import WorkingCalendar
from jingkai.core.models import Department, Role
from jingkai.demands.models import (
    DEFAULT_ACCEPT_DAYS,
    DEFAULT_ASSIGN_DAYS,
    DEFAULT_REPLY_DAYS,
    DEFAULT_TAKE_DAYS,
    OPEN_STATES,
    SATISFIED_MIN,
    Channel,
    Demand,
    DemandAttachment,
    DemandCategory,
    DemandEvent,
    DemandPolicy,
    DemandState,
    ExtensionStatus,
    Rating,
)

S = DemandState
# Roles that file demands (besides the zone admins): staff for the enterprises they see, contacts for their own.
FILING_ROLES = (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER, Role.ENTERPRISE)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
ATTACHMENT_TYPES = {
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "txt",
    "zip",
    "rar",
    "ofd",
}


# Steps whose note (reason, reply, instruction) is mandatory; a bad rating needs one too.
NOTE_REQUIRED = (
    "reject",
    "reassign",
    "return",
    "reply",
    "request_extension",
    "refuse_extension",
    "reopen",
    "supervise",
)


class TransitionForbidden(PermissionDenied):
    pass


class TransitionConflict(Exception):
    def __init__(self, message: str, state: str):
        super().__init__(message)
        self.message = message
        self.state = state


# ---------------------------------------------------------------------------------------------- policy


def policy() -> DemandPolicy:
    row = DemandPolicy.objects.order_by("pk").first()
    return row or DemandPolicy.objects.create()


def category_limits(category: DemandCategory) -> dict[str, int]:
    """The category's time limits, blank ones inherited from its ancestors, then from RULES.md §7."""
    limits = {
        "accept_days": DEFAULT_ACCEPT_DAYS,
        "assign_days": DEFAULT_ASSIGN_DAYS,
        "take_days": DEFAULT_TAKE_DAYS,
        "reply_days": DEFAULT_REPLY_DAYS,
    }
    chain, node, seen = [], category, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        node = node.parent
    for node in reversed(chain):  # root first, the category itself last
        for field in limits:
            value = getattr(node, field)
            if value is not None:
                limits[field] = value
    return limits


STATE_LIMIT = {
    S.SUBMITTED: "accept_days",
    S.ACCEPTED: "assign_days",
    S.ASSIGNED: "take_days",
    S.IN_PROGRESS: "reply_days",
}


def due_for(
    state: str,
    category: DemandCategory,
    entered: dt.date,
    *,
    calendar: WorkingCalendar | None = None,
    pol: DemandPolicy | None = None,
) -> dt.date | None:
    """The deadline of a state entered on a date: the end of the N-th official working day after it."""
    calendar = calendar or WorkingCalendar()
    if state in STATE_LIMIT:
        return calendar.add_working_days(entered, category_limits(category)[STATE_LIMIT[state]])
    if state == S.REPLIED:
        return calendar.add_working_days(entered, (pol or policy()).rating_window_days)
    return None


def deadline_status(due_on: dt.date | None, today: dt.date, amber_until: dt.date) -> str:
    """'red' overdue, 'amber' due by amber_until, 'green' later, '' no deadline."""
    if due_on is None:
        return ""
    if due_on < today:
        return "red"
    if due_on <= amber_until:
        return "amber"
    return "green"


def amber_until(today: dt.date, calendar: WorkingCalendar | None = None, pol: DemandPolicy | None = None):
    return (calendar or WorkingCalendar()).add_working_days(today, (pol or policy()).amber_days)


# ------------------------------------------------------------------------------------------- who may


def is_contact_of(user, enterprise_id: int) -> bool:
    if user.role != Role.ENTERPRISE:
        return False
    contact = getattr(user, "enterprise_contact", None)
    return contact is not None and contact.enterprise_id == enterprise_id


def sees_private_details(user, demand: Demand) -> bool:
    """Contact person, phone and attachments: not for the contact of another enterprise, who sees this demand
    only because their own duplicate was merged into it."""
    return user.role != Role.ENTERPRISE or is_contact_of(user, demand.enterprise_id)


def may_file_for(user, enterprise) -> bool:
    from jingkai.enterprises.models import Enterprise

    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_zone_admin:
        return True
    if user.role == Role.ENTERPRISE:
        return is_contact_of(user, enterprise.pk)
    if user.role in (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER):
        return Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists()
    return False


def _admin(user, demand) -> bool:
    return user.is_zone_admin


def _handler(user, demand) -> bool:
    return (
        user.role == Role.DEPARTMENT
        and user.department_id is not None
        and user.department_id == demand.department_id
    )


def _contact(user, demand) -> bool:
    return is_contact_of(user, demand.enterprise_id)


def _contact_or_admin(user, demand) -> bool:
    return _admin(user, demand) or _contact(user, demand)


def _supervisor(user, demand) -> bool:
    """督办: zone admins, and the grid leader (or community officer) of the demand's enterprise."""
    from jingkai.grids.models import active_q

    if user.is_zone_admin:
        return True
    enterprise = demand.enterprise
    if user.role == Role.GRID_LEADER and enterprise.grid_id:
        return user.grid_assignments.filter(active_q(), grid_id=enterprise.grid_id, role="leader").exists()
    if user.role == Role.COMMUNITY_OFFICER and enterprise.community_id:
        return user.community_assignments.filter(active_q(), community_id=enterprise.community_id).exists()
    return False


# ------------------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (or depends on the parameters)
    may: Callable
    who: str  # for the documentation and the refusal message


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("accept", gettext_lazy("Accept"), (S.SUBMITTED,), S.ACCEPTED, _admin, "zone_admin"),
        Transition(
            "reject", gettext_lazy("Decline"), (S.SUBMITTED, S.ACCEPTED), S.REJECTED, _admin, "zone_admin"
        ),
        Transition(
            "merge",
            gettext_lazy("Merge as duplicate"),
            (S.SUBMITTED, S.ACCEPTED),
            S.MERGED,
            _admin,
            "zone_admin",
        ),
        Transition("assign", gettext_lazy("Assign"), (S.ACCEPTED,), S.ASSIGNED, _admin, "zone_admin"),
        Transition(
            "reassign",
            gettext_lazy("Reassign"),
            (S.ASSIGNED, S.IN_PROGRESS),
            S.ASSIGNED,
            _admin,
            "zone_admin",
        ),
        Transition("take", gettext_lazy("Take up"), (S.ASSIGNED,), S.IN_PROGRESS, _handler, "department"),
        Transition(
            "return", gettext_lazy("Return"), (S.ASSIGNED, S.IN_PROGRESS), S.ACCEPTED, _handler, "department"
        ),
        Transition(
            "request_extension",
            gettext_lazy("Ask for an extension"),
            (S.ASSIGNED, S.IN_PROGRESS),
            None,
            _handler,
            "department",
        ),
        Transition(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            (S.ASSIGNED, S.IN_PROGRESS),
            None,
            _admin,
            "zone_admin",
        ),
        Transition(
            "refuse_extension",
            gettext_lazy("Refuse the extension"),
            (S.ASSIGNED, S.IN_PROGRESS),
            None,
            _admin,
            "zone_admin",
        ),
        Transition("reply", gettext_lazy("Reply"), (S.IN_PROGRESS,), S.REPLIED, _handler, "department"),
        Transition("rate", gettext_lazy("Rate"), (S.REPLIED,), None, _contact_or_admin, "enterprise"),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            (S.REPLIED, S.CLOSED),
            S.IN_PROGRESS,
            _contact_or_admin,
            "enterprise",
        ),
        Transition("supervise", gettext_lazy("Supervise"), OPEN_STATES, None, _supervisor, "supervisor"),
    ]
}


def allowed_transitions(user, demand: Demand) -> list[Transition]:
    """The steps this user may take on this demand now (for the buttons on its page)."""
    result = []
    for t in TRANSITIONS.values():
        if demand.state not in t.sources or not t.may(user, demand):
            continue
        if t.name == "request_extension" and demand.extension_status == ExtensionStatus.PENDING:
            continue
        if t.name in ("approve_extension", "refuse_extension") and (
            demand.extension_status != ExtensionStatus.PENDING
        ):
            continue
        if t.name == "reopen" and demand.state == S.CLOSED and not _contact_or_admin(user, demand):
            continue
        result.append(t)
    return result


# ----------------------------------------------------------------------------------------- filing


def validate_attachments(files: Iterable) -> list:
    files = list(files)
    errors = []
    if len(files) > MAX_ATTACHMENTS:
        errors.append(_("At most %(n)d files may be attached.") % {"n": MAX_ATTACHMENTS})
    for upload in files:
        ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if ext not in ATTACHMENT_TYPES:
            errors.append(
                _("%(name)s: files of this type cannot be attached (allowed: %(types)s).")
                % {"name": upload.name, "types": ", ".join(sorted(ATTACHMENT_TYPES))}
            )
        if upload.size > MAX_ATTACHMENT_BYTES:
            errors.append(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
    if errors:
        raise ValidationError({"attachments": errors})
    return files


def submit_demand(
    *,
    actor,
    enterprise,
    category,
    description: str,
    channel: str,
    title: str = "",
    attachments=(),
    contact_name: str = "",
    contact_phone: str = "",
    source_ref: str = "",
    submitted_at: dt.datetime | None = None,
    notify_admins: bool = True,
) -> Demand:
    """File a demand into the pool (state 已提交, deadline: accept within the category's limit)."""
    if not may_file_for(actor, enterprise):
        raise TransitionForbidden(_("You may not file a demand for this enterprise."))
    errors: dict[str, list] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe the demand.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    elif actor.role == Role.ENTERPRISE and channel != Channel.PORTAL:
        errors["channel"] = [_("An enterprise files through the portal.")]
    if category is None or not category.active:
        errors["category"] = [_("Choose an active category.")]
    if len(title) > 200:
        errors["title"] = [_("The title is longer than 200 characters.")]
    if errors:
        raise ValidationError(errors)
    files = validate_attachments(attachments)
    now = submitted_at or timezone.now()
    entered = timezone.localdate(now)
    with transaction.atomic():
        demand = Demand(
            enterprise=enterprise,
            category=category,
            channel=channel,
            state=S.SUBMITTED,
            title=title.strip() or description[:30],
            description=description,
            contact_name=contact_name,
            contact_phone=contact_phone,
            submitted_at=now,
            state_entered_at=now,
            due_on=due_for(S.SUBMITTED, category, entered),
            source_ref=source_ref,
            filed_by=actor,
        )
        demand._history_user = actor
        demand.save()
        DemandEvent.objects.create(
            demand=demand,
            action="submit",
            to_state=S.SUBMITTED,
            actor=actor,
            at=now,
            due_on=demand.due_on,
            note=Channel(channel).label,
        )
        for upload in files:
            add_attachment(demand, upload, actor)
    if notify_admins:
        _notify_admins(demand, "submitted", _("New demand: %(title)s") % {"title": demand.title})
    return demand


def add_attachment(demand: Demand, upload, actor) -> DemandAttachment:
    validate_attachments([upload])
    attachment = DemandAttachment(demand=demand, name=upload.name[:200], size=upload.size, uploaded_by=actor)
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


# ----------------------------------------------------------------------------------- transitions


def _required(value, field: str, message: str):
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: [message]})
    return value.strip() if isinstance(value, str) else value


def transition(
    demand: Demand,
    name: str,
    *,
    actor,
    note: str = "",
    department: Department | None = None,
    rating: int | None = None,
    until: dt.date | None = None,
    original: Demand | None = None,
    now: dt.datetime | None = None,
) -> Demand:
    """Take one step of the loop; returns the updated demand. See the module docstring for refusals."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise ValidationError({"transition": [_("Unknown step: %(name)s.") % {"name": name}]})
    now = now or timezone.now()
    today = timezone.localdate(now)
    note = (note or "").strip()
    calendar = WorkingCalendar()
    with transaction.atomic():
        current = (
            Demand.objects.select_for_update(of=("self",))
            .select_related("category__parent", "enterprise")
            .filter(pk=demand.pk)
            .first()
        )
        if current is None:
            raise TransitionConflict(_("The demand no longer exists."), "")
        if current.version != demand.version:
            raise TransitionConflict(
                _("Someone else changed this demand meanwhile; it is now %(state)s.")
                % {"state": current.get_state_display()},
                current.state,
            )
        if current.state not in step.sources:
            raise TransitionConflict(
                _("“%(step)s” is not possible on a demand that is %(state)s.")
                % {"step": step.label, "state": current.get_state_display()},
                current.state,
            )
        if not step.may(actor, current):
            raise TransitionForbidden(_("Your role may not “%(step)s” this demand.") % {"step": step.label})
        from_state = current.state
        if current.due_on is not None and from_state in OPEN_STATES and today > current.due_on:
            current.ever_overdue = True
        event = DemandEvent(
            demand=current, action=name, from_state=from_state, actor=actor, at=now, note=note
        )
        notices: list[tuple] = []
        target = step.target

        def enter(state):
            nonlocal target
            target = state
            current.state = state
            current.state_entered_at = now
            current.due_on = due_for(state, current.category, today, calendar=calendar)
            current.overdue_since = None
            current.escalation_level = 0
            if current.extension_status == ExtensionStatus.PENDING:
                # A request was asked against the deadline of the state being left; it lapses with it.
                current.extension_status = ExtensionStatus.NONE
                current.extension_until = None

        if name == "accept":
            enter(S.ACCEPTED)
        elif name == "reject":
            _required(note, "note", _("Give the reason for not accepting the demand."))
            enter(S.REJECTED)
            current.closed_at = now
        elif name == "merge":
            _required(original, "original", _("Choose the original demand."))
            original = Demand.objects.filter(pk=original.pk).first()
            if original is None or original.pk == current.pk:
                raise ValidationError({"original": [_("Choose another demand as the original.")]})
            if original.state in (S.MERGED, S.REJECTED):
                raise ValidationError(
                    {"original": [_("The original must not itself be merged or declined.")]}
                )
            enter(S.MERGED)
            current.merged_into = original
            current.closed_at = now
            event.note = note or _("Merged into %(number)s") % {"number": original.number}
            DemandEvent.objects.create(
                demand=original,
                action="merged_in",
                actor=actor,
                at=now,
                note=_("Duplicate %(number)s (%(enterprise)s) merged into this demand")
                % {"number": current.number, "enterprise": current.enterprise.display_name},
            )
        elif name in ("assign", "reassign"):
            _required(department, "department", _("Choose the department."))
            if not department.is_active:
                raise ValidationError({"department": [_("This department is not active.")]})
            if name == "reassign":
                _required(note, "note", _("Give the reason for reassigning."))
                if department.pk == current.department_id:
                    raise ValidationError({"department": [_("The demand is already with this department.")]})
            current.department = department
            current.extension_status = ExtensionStatus.NONE
            current.extension_until = None
            enter(S.ASSIGNED)
            event.department = department
            notices.append(("department", _("Demand assigned to your department: %(title)s")))
        elif name == "take":
            enter(S.IN_PROGRESS)
        elif name == "return":
            _required(note, "note", _("Give the reason for returning the demand."))
            current.department = None
            current.extension_status = ExtensionStatus.NONE
            current.extension_until = None
            enter(S.ACCEPTED)
            notices.append(("admins", _("Demand returned by the department: %(title)s")))
        elif name == "request_extension":
            _required(note, "note", _("Give the reason for the delay."))
            _required(until, "until", _("Give the new deadline."))
            if current.extension_status == ExtensionStatus.PENDING:
                raise TransitionConflict(_("An extension is already waiting for a decision."), current.state)
            if current.due_on is not None and today > current.due_on:
                raise ValidationError(
                    {
                        "until": [
                            _("An extension must be asked before the deadline (%(due)s).")
                            % {"due": current.due_on.isoformat()}
                        ]
                    }
                )
            if current.due_on is not None and until <= current.due_on:
                raise ValidationError({"until": [_("The new deadline must be after the current one.")]})
            latest = calendar.add_working_days(current.due_on or today, policy().max_extension_days)
            if until > latest:
                raise ValidationError(
                    {
                        "until": [
                            _("An extension may reach %(date)s at the latest.") % {"date": latest.isoformat()}
                        ]
                    }
                )
            current.extension_status = ExtensionStatus.PENDING
            current.extension_until = until
            current.extension_reason = note
            event.due_on = until
            notices.append(("admins", _("Extension asked: %(title)s")))
        elif name == "approve_extension":
            if current.extension_status != ExtensionStatus.PENDING:
                raise TransitionConflict(_("No extension is waiting for a decision."), current.state)
            current.extension_status = ExtensionStatus.APPROVED
            current.due_on = current.extension_until
            current.overdue_since = None
            current.escalation_level = 0
            event.due_on = current.due_on
            event.note = note or current.extension_reason
            notices.append(("department", _("Extension approved: %(title)s")))
            notices.append(("contacts", _("Your demand's deadline was extended: %(title)s")))
        elif name == "refuse_extension":
            _required(note, "note", _("Give the reason for refusing the extension."))
            if current.extension_status != ExtensionStatus.PENDING:
                raise TransitionConflict(_("No extension is waiting for a decision."), current.state)
            current.extension_status = ExtensionStatus.REFUSED
            notices.append(("department", _("Extension refused: %(title)s")))
        elif name == "reply":
            _required(note, "note", _("Write the reply to the enterprise."))
            current.reply = note
            current.replied_at = now
            enter(S.REPLIED)
            notices.append(("contacts", _("Your demand was answered: %(title)s")))
        elif name == "rate":
            try:
                rating = int(rating)
            except (TypeError, ValueError):
                rating = None
            if rating not in Rating.values:
                raise ValidationError({"rating": [_("Choose a rating from 非常满意 to 非常不满意.")]})
            current.rating = rating
            current.rating_comment = note
            current.rated_at = now
            event.level = rating
            if rating >= SATISFIED_MIN:
                enter(S.CLOSED)
                current.closed_at = now
            else:
                _required(note, "note", _("Tell us what is not solved: a bad rating reopens the demand."))
                current.reopen_count += 1
                enter(S.IN_PROGRESS if current.department_id else S.ACCEPTED)
                notices.append(("department", _("Demand reopened after a bad rating: %(title)s")))
                notices.append(("admins", _("Demand reopened after a bad rating: %(title)s")))
        elif name == "reopen":
            _required(note, "note", _("Say why the demand is not solved."))
            current.reopen_count += 1
            current.closed_at = None
            enter(S.IN_PROGRESS if current.department_id else S.ACCEPTED)
            notices.append(("department", _("Demand reopened: %(title)s")))
        elif name == "supervise":
            _required(note, "note", _("Write the supervision instruction."))
            event.level = current.escalation_level
            notices.append(("department", _("Supervision (督办) of a demand: %(title)s")))
        event.to_state = target or current.state
        if event.due_on is None and target:
            event.due_on = current.due_on
        current.version += 1
        current._history_user = actor
        current.save()
        event.save()
    for audience, title in notices:
        _notify(current, audience, f"{name}:{current.version}", title % {"title": current.title}, note)
    return current


# -------------------------------------------------------------------------------------- notifying


def _recipients(demand: Demand, audience: str) -> list[int]:
    from jingkai.core.models import User
    from jingkai.enterprises.models import Contact

    if audience == "admins":
        return list(User.objects.filter(is_active=True, role=Role.ZONE_ADMIN).values_list("pk", flat=True))
    if audience == "department":
        if not demand.department_id:
            return []
        return list(
            User.objects.filter(
                is_active=True, role=Role.DEPARTMENT, department_id=demand.department_id
            ).values_list("pk", flat=True)
        )
    if audience == "contacts":
        # The enterprise's portal accounts, and those of the enterprises whose duplicates merged into it.
        enterprise_ids = {demand.enterprise_id} | set(
            demand.duplicates.values_list("enterprise_id", flat=True)
        )
        return list(
            Contact.objects.filter(enterprise_id__in=enterprise_ids, user__isnull=False, user__is_active=True)
            .values_list("user_id", flat=True)
            .distinct()
        )
    return []


def _notify(demand: Demand, audience: str, step_key: str, title: str, body: str = "") -> int:
    from jingkai.notifications.services import NotificationSpec, notify

    return notify(
        NotificationSpec(
            recipient_id=user_id,
            kind=f"demand.{step_key.split(':')[0]}",
            key=f"demand:{demand.pk}:{step_key}:{audience}:{user_id}",
            title=title[:200],
            body=body,
            url=demand.get_absolute_url(),
        )
        for user_id in _recipients(demand, audience)
    )


def _notify_admins(demand: Demand, step: str, title: str) -> int:
    return _notify(demand, "admins", f"{step}:{demand.version}", title)
