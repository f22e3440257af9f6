"""The JSON API under /api/ (OpenAPI at /api/openapi.json, interactive docs at /api/docs).

Each app contributes a router; this module only assembles them with authentication and the
shared error shapes. Every handler fetches rows through `visible_to(request.user)`.
"""

from __future__ import annotations

from ninja import NinjaAPI

from jingkai.analytics.api import enterprise_router as enterprise_stats_router
from jingkai.analytics.api import router as analytics_router
from jingkai.api.auth import session_auth, token_auth
from jingkai.api.errors import install_handlers
from jingkai.campaigns.api import router as campaigns_router
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


class JingkaiAPI(NinjaAPI):
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
api.add_router("/enterprises", enterprise_evaluation_router)
