"""Transport, headers and deployment (issue 12 §5, docs/security.md §5).

`jingkai check --deploy` with production settings, the HTTPS settings and their floors, the Content-Security-Policy
and its report endpoint, `Cache-Control: no-store` on every response of the application, and the API schema and
docs only for signed-in callers. The served process (no `Server` banner, static files cached) is
tests/security/test_headers_served.py.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from jingkai.settings import proxy_ssl_header

# What a production server sets (docs/security.md §5): HTTPS behind a proxy that terminates TLS.
PRODUCTION = {
    "JINGKAI_SECRET_KEY": "",  # filled per test: a fresh 64-character key
    "JINGKAI_HTTPS": "true",
    "JINGKAI_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "JINGKAI_ALLOWED_HOSTS": "jingkai.example.gov.cn",
    "JINGKAI_CSRF_TRUSTED_ORIGINS": "https://jingkai.example.gov.cn",
}


def _env(tmp_path, **overrides) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JINGKAI_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(PRODUCTION, JINGKAI_SECRET_KEY=secrets.token_urlsafe(48))
    env["JINGKAI_VAR_DIR"] = str(tmp_path)
    env["JINGKAI_DATABASE_URL"] = f"sqlite:///{tmp_path}/deploy.sqlite3"
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _jingkai(tmp_path, *args, **overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jingkai", *args],
        env=_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ("
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER')}))"
)


def _settings(tmp_path, **overrides) -> dict:
    done = _jingkai(tmp_path, "shell", "-c", SHOW, **overrides)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- check --deploy and the HTTPS settings ------------------------------------------------------------------


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path, settings):
    done = _jingkai(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    # The one silenced check is axes.W006 (lockout keyed on the user name alone, on purpose: docs/security.md §2).
    assert settings.SILENCED_SYSTEM_CHECKS == ["axes.W006"]
    assert "System check identified no issues (1 silenced)." in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


@pytest.mark.slow
def test_check_deploy_warns_without_https(tmp_path):
    """The same check fails on the defaults of a trial install: the test above is not clean by accident."""
    done = _jingkai(tmp_path, "check", "--deploy", "--fail-level", "WARNING", JINGKAI_HTTPS=None)
    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W008" in done.stderr  # HSTS, SSL redirect


@pytest.mark.slow
def test_https_turns_on_redirect_hsts_and_secure_cookies(tmp_path):
    assert _settings(tmp_path) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 86400,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }
    # Each is a setting of its own: TLS redirected by the proxy, no preload, a longer HSTS.
    chosen = _settings(
        tmp_path,
        JINGKAI_SSL_REDIRECT="false",
        JINGKAI_HSTS_PRELOAD="false",
        JINGKAI_HSTS_SECONDS=str(2 * 365 * 86400),
        JINGKAI_PROXY_SSL_HEADER="X-Forwarded-Ssl: on",
    )
    assert chosen == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 2 * 365 * 86400,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_SSL", "on"],
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"JINGKAI_HSTS_SECONDS": "86400"}, "JINGKAI_HSTS_SECONDS=86400 is below its floor 15552000"),
        ({"JINGKAI_SECURE_COOKIES": "false"}, "JINGKAI_HTTPS=true needs secure cookies"),
        ({"JINGKAI_PROXY_SSL_HEADER": "X_Forwarded Proto"}, "JINGKAI_PROXY_SSL_HEADER='X_Forwarded Proto'"),
    ],
)
def test_a_weaker_https_setting_refuses_to_start(tmp_path, overrides, message):
    done = _jingkai(tmp_path, "check", **overrides)
    assert done.returncode != 0
    assert message in done.stderr


def test_proxy_ssl_header():
    assert proxy_ssl_header("X", None) is None
    assert proxy_ssl_header("X", "X-Forwarded-Proto") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxy_ssl_header("X", " X-Forwarded-Ssl : on ") == ("HTTP_X_FORWARDED_SSL", "on")
    for bad in (":https", "X Forwarded", "X_Forwarded_Proto"):
        with pytest.raises(ImproperlyConfigured, match="is not a header name"):
            proxy_ssl_header("X", bad)


def test_https_requests_carry_hsts_and_plain_ones_are_redirected(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 86400
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = Client().get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- headers on every page --------------------------------------------------------------------------------


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_carry_the_content_security_policy_and_the_other_headers(db):
    response = Client().get("/login/")
    csp = _directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert csp["report-uri"] == [reverse("csp_report")]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_templates_hold_no_inline_script_style_or_handler():
    """What the browser test (tests/security/test_csp_browser.py) would catch on a page it opens, for every
    template: no style="", no on*="" handler, no <style>, no <script> with code in it, no javascript: URL."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "jingkai"
    bad = re.compile(
        r"""\sstyle\s*=|\son[a-z]+\s*=\s*["']|<style[\s>]|javascript:|<script(?![^>]*\ssrc=)(?![^>]*type="application/json")""",
        re.IGNORECASE,
    )
    found = [
        f"{path.relative_to(src)}:{n}: {line.strip()[:80]}"
        for path in src.rglob("templates/**/*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bad.search(line)
    ]
    assert found == []


# --- Cache-Control: no-store ------------------------------------------------------------------------------


def _no_store(response) -> bool:
    return response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"


def test_every_dynamic_response_is_no_store(zone, api_as):
    officer = Client()
    officer.force_login(zone["grid_officer"])
    pages = [
        ("/", 200),
        (reverse("enterprises:list"), 200),
        (reverse("enterprises:detail", args=[zone.above1.pk]), 200),
        (reverse("enterprises:detail", args=[zone.above2.pk]), 404),  # an error page too
        (reverse("demands:list"), 200),
        (reverse("notifications:list"), 200),
        ("/api/docs", 200),
    ]
    for path, status in pages:
        response = officer.get(path)
        assert response.status_code == status, path
        assert _no_store(response), (path, response.get("Cache-Control"))
    export = officer.get(reverse("enterprises:export"))
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert _no_store(export)
    api = api_as("grid_officer").get("/api/enterprises")  # a bearer token
    assert api.status_code == 200 and _no_store(api)
    session_api = api_as("grid_officer", session=True).get(f"/api/enterprises/{zone.above1.pk}")
    assert session_api.status_code == 200 and _no_store(session_api)
    # Anonymous: the login page (it holds a CSRF token) and whatever else answers.
    for path, status in (("/login/", 200), ("/", 302), ("/api/enterprises", 401), ("/nope/", 404)):
        response = Client().get(path)
        assert response.status_code == status, path
        assert _no_store(response), path


def test_a_view_cannot_relax_no_store(db, rf, settings):
    from django.http import HttpResponse

    from jingkai.core.middleware import NoStoreMiddleware

    def cached_view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=3600"
        response["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    response = NoStoreMiddleware(cached_view)(rf.get("/somewhere/"))
    assert response["Cache-Control"] == "no-store" and "Expires" not in response
    static = NoStoreMiddleware(cached_view)(rf.get(settings.STATIC_URL + "css/jingkai.css"))
    assert static["Cache-Control"] == "public, max-age=3600"  # whitenoise's own, left alone


# --- the CSP report endpoint ------------------------------------------------------------------------------


def test_a_csp_report_is_logged(db, caplog):
    report = {
        "csp-report": {
            "document-uri": "https://jingkai.example.gov.cn/demands/",
            "violated-directive": "style-src-attr",
            "effective-directive": "style-src-attr",
            "blocked-uri": "inline",
            "line-number": 12,
        }
    }
    with caplog.at_level(logging.WARNING, logger="jingkai.csp"):
        response = Client().post("/csp-report", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    (record,) = [r for r in caplog.records if r.name == "jingkai.csp"]
    assert "effective-directive='style-src-attr'" in record.getMessage()
    assert "document-uri='https://jingkai.example.gov.cn/demands/'" in record.getMessage()


def test_a_reporting_api_report_is_logged(db, caplog):
    reports = [
        {
            "type": "csp-violation",
            "body": {"documentURL": "https://x/", "effectiveDirective": "script-src-elem"},
        },
        {"type": "deprecation", "body": {"id": "x"}},
    ]
    with caplog.at_level(logging.WARNING, logger="jingkai.csp"):
        response = Client().post("/csp-report", json.dumps(reports), content_type="application/reports+json")
    assert response.status_code == 204
    assert ["script-src-elem" in r.getMessage() for r in caplog.records if r.name == "jingkai.csp"] == [True]


@pytest.mark.parametrize("body", ["", "not json", "{}", '{"csp-report": 3}', "[]", "x" * 20_000])
def test_anything_else_is_refused_and_not_logged(db, caplog, body):
    with caplog.at_level(logging.WARNING, logger="jingkai.csp"):
        response = Client().post("/csp-report", body, content_type="application/csp-report")
    assert response.status_code == 400
    assert [r for r in caplog.records if r.name == "jingkai.csp"] == []


# --- the API documentation --------------------------------------------------------------------------------


def test_api_schema_and_docs_need_a_signed_in_caller(zone, api_as):
    anonymous = Client()
    schema = anonymous.get("/api/openapi.json")
    assert schema.status_code == 401 and schema.json() == {"detail": "Unauthorized"}
    assert schema["WWW-Authenticate"].startswith("Bearer")
    docs = anonymous.get("/api/docs")
    assert docs.status_code == 302 and docs["Location"] == "/login/?next=/api/docs"
    # A wrong token is no better than none.
    assert Client(HTTP_AUTHORIZATION="Bearer jk_nope").get("/api/openapi.json").status_code == 401
    for client in (api_as("enterprise"), api_as("enterprise", session=True)):  # a token, a session
        schema = client.get("/api/openapi.json")
        assert schema.status_code == 200 and "/api/enterprises" in schema.json()["paths"]
        assert client.get("/api/docs").status_code == 200
