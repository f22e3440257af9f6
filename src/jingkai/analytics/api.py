from ninja import Router

# Mounted at /api/stats (summary, targets …) and /api/enterprises (/{id}/stats) in jingkai/api/api.py.
router = Router(tags=["stats"])
enterprise_router = Router(tags=["stats"])
