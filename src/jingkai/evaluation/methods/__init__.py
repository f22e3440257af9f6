"""The methods shipped with Jingkai, as data (Python literals that ``Method.from_dict`` validates).

``load("huangyan-2022")`` gives the 黄岩 2022 worked example of RULES.md §3; ``load("pinghu-2022")`` the demo
zone's method modelled on it. A zone copies one (``Method.copy_for_year``) and edits it; the shipped ones are
never changed in place: a corrected method is a new version.
"""

from __future__ import annotations

from jingkai.evaluation.method import Method
from jingkai.evaluation.methods import huangyan_2022, pinghu_2022

SHIPPED: dict[str, dict] = {
    huangyan_2022.METHOD["code"]: huangyan_2022.METHOD,
    pinghu_2022.METHOD["code"]: pinghu_2022.METHOD,
}


def load(code: str) -> Method:
    try:
        data = SHIPPED[code]
    except KeyError:
        raise KeyError(f"no shipped evaluation method {code!r} (shipped: {', '.join(SHIPPED)})") from None
    return Method.from_dict(data)
