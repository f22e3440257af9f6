"""Count the references that run against the layer order (docs/development.md, "Layers").

    .venv/bin/python scripts/layer_arrows.py [-v]

Four kinds, counted separately:
  modules    Python imports (grimp's graph, function-level imports included), module -> module
  dotted     string literals naming a higher app's module ("jingkai.investment.sweep.run")
  labels     model labels of a higher app in strings ("demands.Demand", a lazy ForeignKey)
  templates  {% url 'app:…' %}, {% include/extends "app/…" %} and {% load app_tags %} in a lower app's template

An arrow is counted when its target ranks above its source in ORDER (apps of one tuple are siblings:
an arrow between them counts too). Migrations are left out (they follow the models).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import grimp

# JINGKAI_SRC=/other/checkout/src/jingkai (with PYTHONPATH=/other/checkout/src) counts another tree.
SRC = Path(os.environ.get("JINGKAI_SRC", Path(__file__).resolve().parent.parent / "src" / "jingkai"))
# Lowest first. Siblings share a tuple and may not import each other.
ORDER = [
    ("core",),
    ("parks", "grids"),
    ("enterprises",),
    ("chains",),
    ("notifications",),
    ("stats",),
    ("analytics",),
    ("demands",),
    ("visits",),
    ("campaigns",),
    ("investment",),
    ("shell", "api", "demo"),
]
# Project files sit on top of everything and may name each other (settings names urls and wsgi).
PROJECT = ("settings", "urls", "wsgi", "cli", "__main__", "__init__")
RANK = {app: (i, app) for i, group in enumerate(ORDER) for app in group}


def against(source: str, target: str) -> bool:
    if source == target or source in PROJECT:
        return False
    if target in PROJECT:
        return True  # nothing below the project files may name them
    if source not in RANK or target not in RANK:
        return False
    (rs, _), (rt, _) = RANK[source], RANK[target]
    return rt > rs or (rt == rs)


def app_of_module(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def tag_libraries() -> dict[str, str]:
    return {p.stem: p.parts[-3] for p in SRC.glob("*/templatetags/*.py") if p.stem != "__init__"}


def template_app(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    # src/jingkai/templates/ is the kernel's (base.html, errors, includes) until the shell takes home.html
    return "core" if rel[0] == "templates" else rel[0]


def main(verbose: bool) -> None:
    found: dict[str, list[str]] = {"modules": [], "dotted": [], "labels": [], "templates": []}
    graph = grimp.build_graph("jingkai", include_external_packages=False)
    for module in sorted(graph.modules):
        if ".migrations" in module:
            continue
        for target in sorted(graph.find_modules_directly_imported_by(module)):
            if against(app_of_module(module), app_of_module(target)):
                found["modules"].append(f"{module} -> {target}")
    apps = "|".join(RANK)
    dotted = re.compile(rf"""["']jingkai\.({apps})[.'"]""")
    label = re.compile(rf"""["']({apps})\.[A-Z]\w+["']""")
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.relative_to(SRC).parts[0].removesuffix(".py")
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            for m in dotted.finditer(line):
                if against(source, m.group(1)):
                    found["dotted"].append(f"{path.relative_to(SRC)}:{n} {m.group(0)}")
            for m in label.finditer(line):
                if against(source, m.group(1)):
                    found["labels"].append(f"{path.relative_to(SRC)}:{n} {m.group(0)}")
    libraries = tag_libraries()
    refs = re.compile(
        r"""\{%\s*(?:url\s+['"](\w+):|(?:include|extends)\s+['"](\w+)/|load\s+([\w ]+?)\s*%\})"""
    )
    for path in sorted(SRC.rglob("*.html")):
        source = template_app(path)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in refs.finditer(line):
                if m.group(3):
                    targets = [libraries[lib] for lib in m.group(3).split() if lib in libraries]
                else:
                    targets = [m.group(1) or m.group(2)]
                for target in targets:
                    if against(source, target):
                        found["templates"].append(f"{path.relative_to(SRC)}:{n} -> {target}")
    for kind, items in found.items():
        print(f"{kind:10} {len(items)}")
        if verbose:
            for item in items:
                print("    " + item)


if __name__ == "__main__":
    main("-v" in sys.argv)
