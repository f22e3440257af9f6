"""The innovation ladder (科技创新梯队): 科技型中小企业, 高新技术企业, 创新型中小企业, 专精特新中小企业 and
专精特新"小巨人" (RULES.md §4–§6).

So far this package holds the framework-free part: the criteria checkers (`criteria`), the profile they read
(`profile.InnovationProfile`), what they answer (`eligibility.Eligibility`) and the versioned thresholds they
apply (`thresholds/`). See docs/decisions/0013-innovation-criteria.md. It is not a Django app yet (no models, not
in INSTALLED_APPS).
"""
