from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingkai.core import personal


class Role(models.TextChoices):
    ZONE_ADMIN = "zone_admin", _("Zone administrator")
    GRID_LEADER = "grid_leader", _("Grid leader")
    GRID_OFFICER = "grid_officer", _("Grid officer")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    DEPARTMENT = "department", _("Department handler")
    ENTERPRISE = "enterprise", _("Enterprise contact")
    # 三员分立 (docs/security.md §3): three administrators of the system itself, none of whom works on the
    # zone's data, and no user holds two of them.
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# The roles of 三员分立: they administer the system and see none of the zone's enterprises.
SYSTEM_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class AuditedModel(models.Model):
    """Audit columns every domain model carries; full before/after history is kept by simple-history."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Department(AuditedModel):
    """A functional department of the administration committee (经济发展局, 招商局 …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    handles_investment = models.BooleanField(
        _("investment attraction department"),
        default=False,
        help_text=_("Its handlers keep the investment project ledger and see every project."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class UserManager(DjangoUserManager):
    """Accounts made by `createsuperuser` or a command (`create_user`) get a password someone else chose: its
    owner must change it at the first sign-in (docs/security.md §2). The demo and the test factories write
    their users directly and are not forced."""

    def create_user(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("must_change_password", True)
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # 三员分立: the superuser flag belongs to the system administrator only (the constraint below).
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        extra_fields.setdefault("must_change_password", True)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.GRID_OFFICER)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = personal.EncryptedCharField(_("phone"), max_length=30, blank=True)
    phone_index = personal.BlindIndexField(source="phone")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # docs/security.md §2: the password's age (it expires after JINGKAI_PASSWORD_MAX_AGE_DAYS) and whether
    # its owner must replace it before doing anything else (set when an administrator chose it).
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Mixed into the session auth hash: raising it ends every session of the user (sign-out ends them all).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login", "session_epoch"])

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # 三员分立: a superuser is a system administrator, never a zone administrator or another role.
            models.CheckConstraint(
                condition=models.Q(is_superuser=False) | models.Q(role="system_admin"),
                name="core_user_superuser_is_system_admin",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_zone_admin(self) -> bool:
        # By role only: the superuser flag (a system administrator's) grants no zone data (三员分立).
        return self.is_active and self.role == Role.ZONE_ADMIN

    @property
    def is_staff_role(self) -> bool:
        """Zone staff of any kind (everyone except enterprise contacts and the three system administrators)."""
        return self.is_active and self.role != Role.ENTERPRISE and self.role not in SYSTEM_ROLES

    def _session_hash(self, secret=None) -> str:
        key_salt = "jingkai.core.models.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        """The password hash and the session epoch: a new password or a raised epoch ends the other sessions."""
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


def staff_users() -> models.QuerySet:
    """Active zone staff (everyone but enterprise contacts), by name: who may visit an enterprise or guide it."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role=Role.ENTERPRISE)
        .exclude(role__in=SYSTEM_ROLES)
        .order_by("full_name", "username")
    )


class HolidayOverride(AuditedModel):
    """One date of the State Council's yearly holiday notice; takes precedence over chinesecalendar."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: an adjusted weekend working day. Unticked: a public holiday.")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 春节, 国庆节"))
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The notice, e.g. 国办发明电〔2026〕x号")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday adjustment")
        verbose_name_plural = _("holiday adjustments")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _default_token_expiry():
    return timezone.now() + dt.timedelta(days=settings.JINGKAI_API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def find(self, raw: str):
        """The unrevoked token of an active user with this value, expired or not (None otherwise)."""
        token = self.select_related("user").filter(key_hash=_hash_token(raw), revoked_at__isnull=True).first()
        if token is None or not token.user.is_active:
            return None
        return token

    def authenticate(self, raw: str):
        """The token if it may be used now: unrevoked, of an active user, not expired."""
        token = self.find(raw)
        if token is None or token.is_expired():
            return None
        return token


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # docs/security.md §2: a token ends (JINGKAI_API_TOKEN_DAYS, at most JINGKAI_API_TOKEN_MAX_DAYS); its last
    # use is kept (to the minute) and audited at most once per JINGKAI_TOKEN_USE_AUDIT_MINUTES.
    expires_at = models.DateTimeField(_("expires at"), default=_default_token_expiry)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    use_audited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
        """A new token valid for `days` (default JINGKAI_API_TOKEN_DAYS; never more than the ceiling)."""
        days = settings.JINGKAI_API_TOKEN_DAYS if days is None else days
        if not 1 <= days <= settings.JINGKAI_API_TOKEN_MAX_DAYS:
            raise ValueError(f"days={days} is outside 1…{settings.JINGKAI_API_TOKEN_MAX_DAYS}")
        raw = "jk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=_hash_token(raw),
            prefix=raw[:8],
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        return token, raw

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class ImportBatch(models.Model):
    """An uploaded workbook between preview and commit.

    The file lives in the database, not on one server's disk, so preview and commit may be served by
    different processes.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        REJECTED = "rejected", _("Has errors")
        COMMITTED = "committed", _("Committed")

    kind = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ImportResultChunk(models.Model):
    """One slice of a batch's stored preview: up to core.importing.RESULT_CHUNK errors or planned rows as JSON.

    Written once when the batch is previewed (and again when a commit finds the data changed); the preview
    page reads only the chunk(s) of the page it shows. Chunks rather than one row per item: a 1,000,000-row
    workbook is 2,000 inserts, not a million, and a page is one indexed read.
    """

    class Part(models.TextChoices):
        ERROR = "error", _("error")
        ROW = "row", _("row")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="result_chunks")
    part = models.CharField(max_length=5, choices=Part.choices)
    number = models.PositiveIntegerField()  # 0-based position of the chunk within its part
    items = models.JSONField(default=list)  # RowError.as_dict() or PlannedRow.as_dict(), in page order

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "part", "number"], name="import_result_chunk_unique")
        ]
        verbose_name = _("import result chunk")
        verbose_name_plural = _("import result chunks")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.part} {self.number}"


# The security audit log lives in its own module; importing it here registers the model with the app.
from jingkai.core.audit import AuditEvent  # noqa: E402, F401

# Seconds between two progress writes of a running job (Job.progress); tests set it to 0.
PROGRESS_SECONDS = 0.5
# kind -> label (a lazy translation), filled by jingkai.core.jobs.register.
JOB_KINDS: dict[str, object] = {}


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Zone administrators see every job; everyone else their own (a system job, without owner, is the
        administrators')."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_zone_admin:
            return self
        return self.filter(user_id=user.pk)


class Job(models.Model):
    """Long work done off the request by a worker (jingkai.core.jobs): what a user sees of it.

    `args` holds ids and other small JSON values, never records; the task reads the rows again and tolerates
    their absence. A worker takes the job with a conditional UPDATE (queued -> running), so a job enqueued
    twice runs once.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    args = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)  # the last progress written (stale detection)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=120, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=1)
    task_id = models.CharField(max_length=64, blank=True)  # the tasks backend's id of the last enqueue
    file = models.CharField(max_length=255, blank=True)  # under MEDIA_ROOT, when the result is a download
    expires_at = models.DateTimeField(null=True, blank=True)  # when the file is deleted by the sweep

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="core_job_user_created"),
            models.Index(fields=["state", "updated_at"], name="core_job_state_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("jobs:detail", args=[self.pk])

    # The API a task uses (docs/development.md, "Jobs").
    def progress(self, done: int, total: int | None = None, stage: str = "") -> None:
        """Rows done (of `total`, when it changes) and the stage's name; cheap to call on every row: it writes
        when the stage changes, at the last row, or when PROGRESS_SECONDS have passed since the last write."""
        now = time.monotonic()
        changed = {}
        if total is not None and total != self.total:
            changed["total"] = self.total = total
        if stage and stage != self.stage:
            changed["stage"] = self.stage = str(stage)[:120]
        self.done = done
        last = getattr(self, "_progress_written", None)
        if (
            not changed
            and last is not None
            and now - last < PROGRESS_SECONDS
            and (self.total is None or done < self.total)
        ):
            return
        self._progress_written = now
        self.updated_at = timezone.now()
        Job.objects.filter(pk=self.pk, state=Job.State.RUNNING).update(
            done=done, updated_at=self.updated_at, **changed
        )

    def finish(self, result: dict | None = None) -> None:
        """The job is done: `result` (small JSON: counts, ids, a file's name) is what its page shows."""
        self.result = dict(result or {})
        self.state = Job.State.DONE
        self.finished_at = self.updated_at = timezone.now()
        if self.total is not None:
            self.done = max(self.done, self.total)
        Job.objects.filter(pk=self.pk, state=Job.State.RUNNING).update(
            state=self.state,
            result=self.result,
            finished_at=self.finished_at,
            updated_at=self.updated_at,
            done=self.done,
            file=self.file,
            expires_at=self.expires_at,
        )

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == self.State.DONE else None
        return min(100, int(100 * self.done / self.total))

    @property
    def label(self) -> str:
        return JOB_KINDS.get(self.kind, self.kind)
