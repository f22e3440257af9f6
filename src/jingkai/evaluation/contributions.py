"""What the evaluation adds to other apps' pages and jobs (docs/development.md, Contributions)."""

from __future__ import annotations

CONTRIBUTIONS: list = []
