"""Pydantic schemas of the kernel's API operations (GET /api/jobs)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class JobOut(Schema):
    id: int
    kind: str
    label: str = Field(description="The kind in words")
    owner: str | None = Field(None, description="The owner's user name (None: a system job)")
    state: str = Field(description="queued, running, done or failed")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    done: int
    total: int | None
    percent: int | None
    stage: str
    result: dict
    error: str = Field(description="Why it failed, for the user (in Chinese)")
    attempts: int
    url: str = Field(description="The job's page")
    download_url: str | None = Field(None, description="The file, while it is kept (the owner only)")

    @staticmethod
    def resolve_label(job) -> str:
        return str(job.label)

    @staticmethod
    def resolve_owner(job) -> str | None:
        return job.user.username if job.user_id else None

    @staticmethod
    def resolve_url(job) -> str:
        return job.get_absolute_url()

    @staticmethod
    def resolve_download_url(job, context) -> str | None:
        from django.urls import reverse

        request = context["request"]
        if job.file and job.user_id == request.user.pk and job.result.get("download"):
            return reverse("jobs:download", args=[job.pk])
        return None


class JobFilters(Schema):
    state: str | None = Field(None, description="queued, running, done or failed")
    kind: str | None = Field(None, description="A job kind, e.g. core.export", max_length=80)
