"""The default category tree and policy row of the demand pool (an admin edits them afterwards).

Used by migration 0002 (with the historical models) and by `jingkai demo`, which empties every table on
PostgreSQL (flush) and must put them back. Keep `ensure_defaults` to the fields migration 0002 knows.
"""

from __future__ import annotations

CATEGORIES = [
    # code, name, reply_days (None: the default 5 working days), children
    ("land", "用地", 7, [("land-supply", "用地供给"), ("land-certificate", "不动产登记")]),
    ("labour", "用工", None, [("labour-recruit", "招工"), ("labour-talent", "人才引进与落户")]),
    ("finance", "融资", None, [("finance-loan", "银行贷款"), ("finance-listing", "上市辅导")]),
    ("approval", "审批", None, [("approval-project", "项目审批"), ("approval-license", "证照办理")]),
    ("policy", "政策", 3, [("policy-consult", "政策咨询"), ("policy-subsidy", "奖补兑现")]),
    ("infrastructure", "基础设施", 7, [("infra-power", "水电气"), ("infra-road", "道路交通")]),
    ("logistics", "物流", None, []),
    ("environment", "环保安全", 7, []),
    ("other", "其他", None, []),
]


def ensure_defaults(Category=None, Policy=None) -> None:  # noqa: N803  (model classes)
    """Create the default categories and the policy row where they are missing; idempotent."""
    if Category is None or Policy is None:
        from jingkai.demands.models import DemandCategory, DemandPolicy

        Category, Policy = DemandCategory, DemandPolicy
    if not Policy.objects.exists():
        Policy.objects.create()  # the defaults of RULES.md §7, edited in the admin
    for order, (code, name, reply_days, children) in enumerate(CATEGORIES, start=1):
        parent, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "reply_days": reply_days}
        )
        for child_order, (child_code, child_name) in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "order": child_order, "parent": parent}
            )
