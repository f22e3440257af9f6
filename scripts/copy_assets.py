#!/usr/bin/env python3
"""Copy the front-end assets installed by `npm ci` into src/jingkai/static/vendor/.

Zone networks are often closed, so pages never load Bootstrap, htmx or ECharts from a CDN: the files come
from the npm registry at set-up and are served by the application itself. The vendor folder is
git-ignored; this script (run by `make assets`) rebuilds it and only rewrites files whose content changed,
so running it twice is cheap.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "jingkai" / "static" / "vendor"

# source under node_modules -> destination under static/vendor (the paths templates load via {% static %})
ASSETS = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
}
# Each package's licence travels with its files.
LICENCES = {
    "bootstrap/LICENSE": "bootstrap/LICENSE",
    "htmx.org/LICENSE": "htmx/LICENSE",
    "echarts/LICENSE": "echarts/LICENSE",
}


def copy(src: Path, dest: Path) -> bool:
    if dest.exists() and filecmp.cmp(src, dest, shallow=False):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return True


def main() -> int:
    missing = [name for name in ASSETS if not (NODE_MODULES / name).is_file()]
    if missing:
        print(
            f"copy_assets: missing in {NODE_MODULES}: {', '.join(missing)}; run `npm ci` first",
            file=sys.stderr,
        )
        return 1
    changed = 0
    for name, target in ASSETS.items():
        src = NODE_MODULES / name
        changed += copy(src, VENDOR / target)
        # Minified files point at their source maps; ship the map when the package has one so browsers
        # do not log a 404 for it.
        source_map = src.with_name(src.name + ".map")
        if source_map.is_file():
            changed += copy(source_map, VENDOR / (target + ".map"))
    for name, target in LICENCES.items():
        if (NODE_MODULES / name).is_file():
            changed += copy(NODE_MODULES / name, VENDOR / target)
    print(f"copy_assets: {len(ASSETS)} assets in {VENDOR.relative_to(ROOT)} ({changed} file(s) updated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
