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

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import filetypes
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
from jingkai.demands.permissions import (
    contact_or_admin,
    handler,
    may_file_for,
    supervisor,
    zone_admin,
)

S = DemandState
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
ATTACHMENT_TYPES = {  # each with its content check in core.filetypes.EXPECTED
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


def amber_until(today: dt.date, calendar: WorkingCalendar | None = None, pol: DemandPolicy | None = None):
    return (calendar or WorkingCalendar()).add_working_days(today, (pol or policy()).amber_days)


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
        elif not filetypes.matches(upload):
            # docs/security.md §4: the content is read from the bytes, not trusted from the name.
            errors.append(
                _("%(name)s: its content is not a .%(ext)s file; attach the file under its real type.")
                % {"name": upload.name, "ext": ext}
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
    name = filetypes.short_name(upload.name, 200)  # its extension kept (docs/security.md §4)
    attachment = DemandAttachment(demand=demand, name=name, size=upload.size, uploaded_by=actor)
    attachment.file.save(filetypes.short_name(upload.name, 60), upload, save=False)  # 255 bytes on disk
    attachment.save()
    return attachment


# ----------------------------------------------------------------------------------- transitions
#
# One table (TRANSITIONS, below its handlers): each step names its sources, its target, who may take it, and the
# handler that checks its parameters and writes its fields. transition() does what every step shares: it locks
# the row, refuses a stale version or a state the step does not start from, checks the actor, runs the step's
# handler, then saves the demand and its event and sends the notices the handler queued.


def _required(value, field: str, message: str):
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: [message]})
    return value.strip() if isinstance(value, str) else value


@dataclass
class Step:
    """A step being taken: the locked demand, the event that records it, the caller's parameters, and the
    notices to send once it is saved (audience, title with %(title)s)."""

    demand: Demand
    event: DemandEvent
    actor: object
    note: str
    department: Department | None
    rating: int | None
    until: dt.date | None
    original: Demand | None
    now: dt.datetime
    today: dt.date
    calendar: WorkingCalendar
    target: str | None
    notices: list[tuple] = dataclasses.field(default_factory=list)

    def enter(self, state: str) -> None:
        """Move to a state: its deadline starts, overdue and escalation are reset."""
        current = self.demand
        self.target = state
        current.state = state
        current.state_entered_at = self.now
        current.due_on = due_for(state, current.category, self.today, calendar=self.calendar)
        current.overdue_since = None
        current.escalation_level = 0
        if current.extension_status == ExtensionStatus.PENDING:
            # A request was asked against the deadline of the state being left; it lapses with it.
            current.extension_status = ExtensionStatus.NONE
            current.extension_until = None

    def notify(self, audience: str, title: str) -> None:
        self.notices.append((audience, title))


def _accept(step: Step) -> None:
    step.enter(S.ACCEPTED)


def _reject(step: Step) -> None:
    _required(step.note, "note", _("Give the reason for not accepting the demand."))
    step.enter(S.REJECTED)
    step.demand.closed_at = step.now


def _merge(step: Step) -> None:
    current = step.demand
    _required(step.original, "original", _("Choose the original demand."))
    original = Demand.objects.filter(pk=step.original.pk).first()
    if original is None or original.pk == current.pk:
        raise ValidationError({"original": [_("Choose another demand as the original.")]})
    if original.state in (S.MERGED, S.REJECTED):
        raise ValidationError({"original": [_("The original must not itself be merged or declined.")]})
    step.enter(S.MERGED)
    current.merged_into = original
    current.closed_at = step.now
    step.event.note = step.note or _("Merged into %(number)s") % {"number": original.number}
    DemandEvent.objects.create(
        demand=original,
        action="merged_in",
        actor=step.actor,
        at=step.now,
        note=_("Duplicate %(number)s (%(enterprise)s) merged into this demand")
        % {"number": current.number, "enterprise": current.enterprise.display_name},
    )


def _assign(step: Step, *, reassign: bool = False) -> None:
    current, department = step.demand, step.department
    _required(department, "department", _("Choose the department."))
    if not department.is_active:
        raise ValidationError({"department": [_("This department is not active.")]})
    if reassign:
        _required(step.note, "note", _("Give the reason for reassigning."))
        if department.pk == current.department_id:
            raise ValidationError({"department": [_("The demand is already with this department.")]})
    current.department = department
    current.extension_status = ExtensionStatus.NONE
    current.extension_until = None
    step.enter(S.ASSIGNED)
    step.event.department = department
    step.notify("department", _("Demand assigned to your department: %(title)s"))


def _reassign(step: Step) -> None:
    _assign(step, reassign=True)


def _take(step: Step) -> None:
    step.enter(S.IN_PROGRESS)


def _return(step: Step) -> None:
    current = step.demand
    _required(step.note, "note", _("Give the reason for returning the demand."))
    current.department = None
    current.extension_status = ExtensionStatus.NONE
    current.extension_until = None
    step.enter(S.ACCEPTED)
    step.notify("admins", _("Demand returned by the department: %(title)s"))


def _request_extension(step: Step) -> None:
    current, until, today = step.demand, step.until, step.today
    _required(step.note, "note", _("Give the reason for the delay."))
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
    latest = step.calendar.add_working_days(current.due_on or today, policy().max_extension_days)
    if until > latest:
        raise ValidationError(
            {"until": [_("An extension may reach %(date)s at the latest.") % {"date": latest.isoformat()}]}
        )
    current.extension_status = ExtensionStatus.PENDING
    current.extension_until = until
    current.extension_reason = step.note
    step.event.due_on = until
    step.notify("admins", _("Extension asked: %(title)s"))


def _approve_extension(step: Step) -> None:
    current = step.demand
    if current.extension_status != ExtensionStatus.PENDING:
        raise TransitionConflict(_("No extension is waiting for a decision."), current.state)
    current.extension_status = ExtensionStatus.APPROVED
    current.due_on = current.extension_until
    current.overdue_since = None
    current.escalation_level = 0
    step.event.due_on = current.due_on
    step.event.note = step.note or current.extension_reason
    step.notify("department", _("Extension approved: %(title)s"))
    step.notify("contacts", _("Your demand's deadline was extended: %(title)s"))


def _refuse_extension(step: Step) -> None:
    current = step.demand
    _required(step.note, "note", _("Give the reason for refusing the extension."))
    if current.extension_status != ExtensionStatus.PENDING:
        raise TransitionConflict(_("No extension is waiting for a decision."), current.state)
    current.extension_status = ExtensionStatus.REFUSED
    step.notify("department", _("Extension refused: %(title)s"))


def _reply(step: Step) -> None:
    current = step.demand
    _required(step.note, "note", _("Write the reply to the enterprise."))
    current.reply = step.note
    current.replied_at = step.now
    step.enter(S.REPLIED)
    step.notify("contacts", _("Your demand was answered: %(title)s"))


def _rate(step: Step) -> None:
    current = step.demand
    try:
        rating = int(step.rating)
    except (TypeError, ValueError):
        rating = None
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("Choose a rating from 非常满意 to 非常不满意.")]})
    current.rating = rating
    current.rating_comment = step.note
    current.rated_at = step.now
    step.event.level = rating
    if rating >= SATISFIED_MIN:
        step.enter(S.CLOSED)
        current.closed_at = step.now
    else:
        _required(step.note, "note", _("Tell us what is not solved: a bad rating reopens the demand."))
        current.reopen_count += 1
        step.enter(S.IN_PROGRESS if current.department_id else S.ACCEPTED)
        step.notify("department", _("Demand reopened after a bad rating: %(title)s"))
        step.notify("admins", _("Demand reopened after a bad rating: %(title)s"))


def _reopen(step: Step) -> None:
    current = step.demand
    _required(step.note, "note", _("Say why the demand is not solved."))
    current.reopen_count += 1
    current.closed_at = None
    step.enter(S.IN_PROGRESS if current.department_id else S.ACCEPTED)
    step.notify("department", _("Demand reopened: %(title)s"))


def _supervise(step: Step) -> None:
    _required(step.note, "note", _("Write the supervision instruction."))
    step.event.level = step.demand.escalation_level
    step.notify("department", _("Supervision (督办) of a demand: %(title)s"))


def _always(demand: Demand) -> bool:
    return True


def _no_pending_extension(demand: Demand) -> bool:
    return demand.extension_status != ExtensionStatus.PENDING


def _pending_extension(demand: Demand) -> bool:
    return demand.extension_status == ExtensionStatus.PENDING


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (or depends on the parameters)
    may: Callable  # may(user, demand): who may take the step (demands.permissions)
    who: str  # for the documentation and the refusal message
    handle: Callable[[Step], None]  # checks the step's parameters and writes its fields
    offered: Callable[[Demand], bool] = _always  # whether the demand's page offers it now


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "accept", gettext_lazy("Accept"), (S.SUBMITTED,), S.ACCEPTED, zone_admin, "zone_admin", _accept
        ),
        Transition(
            "reject",
            gettext_lazy("Decline"),
            (S.SUBMITTED, S.ACCEPTED),
            S.REJECTED,
            zone_admin,
            "zone_admin",
            _reject,
        ),
        Transition(
            "merge",
            gettext_lazy("Merge as duplicate"),
            (S.SUBMITTED, S.ACCEPTED),
            S.MERGED,
            zone_admin,
            "zone_admin",
            _merge,
        ),
        Transition(
            "assign", gettext_lazy("Assign"), (S.ACCEPTED,), S.ASSIGNED, zone_admin, "zone_admin", _assign
        ),
        Transition(
            "reassign",
            gettext_lazy("Reassign"),
            (S.ASSIGNED, S.IN_PROGRESS),
            S.ASSIGNED,
            zone_admin,
            "zone_admin",
            _reassign,
        ),
        Transition(
            "take", gettext_lazy("Take up"), (S.ASSIGNED,), S.IN_PROGRESS, handler, "department", _take
        ),
        Transition(
            "return",
            gettext_lazy("Return"),
            (S.ASSIGNED, S.IN_PROGRESS),
            S.ACCEPTED,
            handler,
            "department",
            _return,
        ),
        Transition(
            "request_extension",
            gettext_lazy("Ask for an extension"),
            (S.ASSIGNED, S.IN_PROGRESS),
            None,
            handler,
            "department",
            _request_extension,
            offered=_no_pending_extension,
        ),
        Transition(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            (S.ASSIGNED, S.IN_PROGRESS),
            None,
            zone_admin,
            "zone_admin",
            _approve_extension,
            offered=_pending_extension,
        ),
        Transition(
            "refuse_extension",
            gettext_lazy("Refuse the extension"),
            (S.ASSIGNED, S.IN_PROGRESS),
            None,
            zone_admin,
            "zone_admin",
            _refuse_extension,
            offered=_pending_extension,
        ),
        Transition(
            "reply", gettext_lazy("Reply"), (S.IN_PROGRESS,), S.REPLIED, handler, "department", _reply
        ),
        Transition("rate", gettext_lazy("Rate"), (S.REPLIED,), None, contact_or_admin, "enterprise", _rate),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            (S.REPLIED, S.CLOSED),
            S.IN_PROGRESS,
            contact_or_admin,
            "enterprise",
            _reopen,
        ),
        Transition(
            "supervise", gettext_lazy("Supervise"), OPEN_STATES, None, supervisor, "supervisor", _supervise
        ),
    ]
}


def allowed_transitions(user, demand: Demand) -> list[Transition]:
    """The steps this user may take on this demand now (for the buttons on its page)."""
    return [
        t
        for t in TRANSITIONS.values()
        if demand.state in t.sources and t.may(user, demand) and t.offered(demand)
    ]


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
        taking = Step(
            demand=current,
            event=DemandEvent(
                demand=current, action=name, from_state=from_state, actor=actor, at=now, note=note
            ),
            actor=actor,
            note=note,
            department=department,
            rating=rating,
            until=until,
            original=original,
            now=now,
            today=today,
            calendar=WorkingCalendar(),
            target=step.target,
        )
        step.handle(taking)
        event, target = taking.event, taking.target
        event.to_state = target or current.state
        if event.due_on is None and target:
            event.due_on = current.due_on
        current.version += 1
        current._history_user = actor
        current.save()
        event.save()
    for audience, title in taking.notices:
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
