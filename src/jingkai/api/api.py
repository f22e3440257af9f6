"""The JSON API under /api/ (OpenAPI at /api/openapi.json, interactive docs at /api/docs).

Each app contributes a router; this module only assembles them with authentication and the
shared error shapes. Every handler fetches rows through `visible_to(request.user)`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from ninja import NinjaAPI
from ninja.openapi.views import openapi_json

from jingkai.analytics.api import enterprise_router as enterprise_stats_router
from jingkai.analytics.api import router as analytics_router
from jingkai.api.auth import session_auth, token_auth
from jingkai.api.errors import install_handlers
from jingkai.campaigns.api import router as campaigns_router
from jingkai.core.api_jobs import router as jobs_router
from jingkai.core.api_personal import router as personal_router
from jingkai.demands.api import router as demands_router
from jingkai.enterprises.api import router as enterprises_router
from jingkai.enterprises.api_grids import router as grids_router
from jingkai.evaluation.api import enterprise_router as enterprise_evaluation_router
from jingkai.evaluation.api import router as evaluation_router
from jingkai.investment.api import router as investment_router
from jingkai.notifications.api import router as notifications_router
from jingkai.stats.api import router as stats_router
from jingkai.visits.api import router as visits_router

# The one error shape (core/api.py), as OpenAPI components.
ERROR_SCHEMAS = {
    "ErrorOut": {
        "title": "ErrorOut",
        "type": "object",
        "description": "401, 403, 404, 400: what went wrong, in words (a 404 never echoes what was asked for)",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrorOut": {
        "title": "ValidationErrorOut",
        "type": "object",
        "description": "422: every refused value, located (`loc`: body, query or path, then the field)",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "loc": {
                            "type": "array",
                            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        },
                        "msg": {"type": "string"},
                        "type": {"type": "string"},
                    },
                    "required": ["loc", "msg", "type"],
                },
            }
        },
        "required": ["detail"],
    },
}
ERROR_DESCRIPTIONS = {
    400: ("Bad Request: the body is not JSON", "ErrorOut"),
    401: ("Unauthorized: no valid token or session", "ErrorOut"),
    403: ("Forbidden: the caller's role may not do this", "ErrorOut"),
    404: ("Not Found: no such row, or not one the caller may see", "ErrorOut"),
    422: ("Unprocessable Content: a refused value, located", "ValidationErrorOut"),
}
# Operations without a path parameter that still answer 404 (a role without access to the figures, an
# enterprise the caller does not see), and reading operations that answer 403 (a role that may not import);
# every writing operation may answer 403.
NOT_FOUND_WITHOUT_PATH = {"GET /api/stats/summary", "GET /api/stats/targets", "POST /api/demands"}
FORBIDDEN_ON_READ = {"GET /api/stats/imports/{batch_id}"}


def error_codes(path: str, method: str, operation: dict) -> list[int]:
    """The error status codes an operation answers, besides those it declares itself."""
    key = f"{method.upper()} {path}"
    codes = [401]
    if operation.get("requestBody"):
        codes.append(400)
    if method != "get" or key in FORBIDDEN_ON_READ:
        codes.append(403)
    if "{" in path or key in NOT_FOUND_WITHOUT_PATH:
        codes.append(404)
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append(422)
    return codes


def _query_parameters(operation: dict) -> bool:
    return any(p.get("in") == "query" for p in operation.get("parameters", []))


def document_errors(schema: dict) -> dict:
    """Add the error answers to every operation of an OpenAPI document (in place; returned).

    An operation that declares its own body for a code (the statistics commit's 422 with the import
    report) gets both: its own and the error shape, as `anyOf`.
    """
    schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if _query_parameters(operation):
                # The server in front (gunicorn) refuses a request line beyond 4 KiB, before Django sees it.
                responses.setdefault(414, {"description": "URI Too Long: the query string exceeds 4 KiB"})
            for code in error_codes(path, method, operation):
                description, name = ERROR_DESCRIPTIONS[code]
                ref = {"$ref": f"#/components/schemas/{name}"}
                # ninja keys responses by int; a str key would be the same code twice in the JSON.
                declared = responses.get(code, responses.get(str(code)))
                if declared is None:
                    responses[code] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
                    continue
                content = declared.setdefault("content", {}).setdefault("application/json", {})
                own = content.get("schema")
                if own is not None and own != ref:
                    content["schema"] = {"anyOf": [own, ref]}
    return schema


class JingkaiAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))

    def validation_error_from_error_contexts(self, error_contexts):
        """Drop the handler's parameter name from body locations.

        ninja reports a bad `uscc` in the request body at ["body", "payload", "uscc"], where
        "payload" is only the Python argument's name. Clients see ["body", "uscc"], the same
        location a service's ValidationError gets (api/errors.py).
        """
        error = super().validation_error_from_error_contexts(error_contexts)
        wrappers = {
            getattr(context.model, "__read_from_single_attr__", None)
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
        } - {None}
        for item in error.errors:
            loc = tuple(item["loc"])
            if len(loc) > 1 and loc[0] == "body" and loc[1] in wrappers:
                item["loc"] = ("body", *loc[2:])
        return error


def signed_in_only(view):
    """The schema (/api/openapi.json) and its docs page (/api/docs) only for a signed-in caller (docs/security.md §5).

    A browser session or a bearer token (`Authorization: Bearer <token>`, as every API call; schemathesis reads the
    schema so). Anonymous: the schema answers 401 as the API does, the docs page sends to the login page.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated and token_auth(request) is None:
            if getattr(view, "func", view) is openapi_json:
                return JsonResponse(
                    {"detail": "Unauthorized"},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="jingkai"'},
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


api = JingkaiAPI(
    title="经开 Jingkai API",
    version="1",
    description=(
        "Enterprises and grids of the development zone. Authenticate with `Authorization: Bearer <token>` "
        "(issue one with `jingkai token USERNAME`) or a signed-in browser session. Every list and detail "
        "shows only what the caller's role may see."
    ),
    urls_namespace="api",
    auth=[token_auth, session_auth],
    docs_decorator=signed_in_only,
)
install_handlers(api)

api.add_router("/enterprises", enterprises_router)
api.add_router("/grids", grids_router)
api.add_router("/notifications", notifications_router)
api.add_router("/demands", demands_router)
api.add_router("/visits", visits_router)
api.add_router("/campaigns", campaigns_router)
# The investment router serves /api/projects, /api/arrivals and /api/investment/summary.
api.add_router("", investment_router)
api.add_router("/stats", stats_router)
api.add_router("/stats", analytics_router)
api.add_router("/enterprises", enterprise_stats_router)
api.add_router("/evaluations", evaluation_router)
api.add_router("/personal", personal_router)
api.add_router("/jobs", jobs_router)
api.add_router("/enterprises", enterprise_evaluation_router)
