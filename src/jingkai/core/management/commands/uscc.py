"""jingkai uscc CODE...: check unified social credit codes (GB 32100-2015, RULES.md §1).

One line per code: the normalised code, the word `valid` or `invalid`, and the reason. The two words
are a fixed, untranslated vocabulary so that scripts can rely on them. Exit status 0 only when every
code is valid, 1 otherwise; `-` reads codes from standard input, one per line.
"""

from __future__ import annotations

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import uscc
from jingkai.core.commands import JingkaiCommand


class Command(JingkaiCommand):
    help = gettext_lazy("Check unified social credit codes; exit status 0 only if all are valid.")
    requires_system_checks = []  # a pure function of its input: no need to check the project

    def add_arguments(self, parser):
        parser.add_argument(
            "codes", nargs="+", metavar="CODE", help=gettext_lazy("a code, or - to read codes from stdin")
        )

    def codes(self, args):
        for arg in args:
            if arg == "-":
                for line in sys.stdin:
                    if line.strip():
                        yield line
            else:
                yield arg

    def handle(self, *args, codes, **options):
        checked = invalid = 0
        for raw in self.codes(codes):
            result = uscc.validate(raw)
            checked += 1
            if result.valid:
                self.stdout.write(f"{result.code}\tvalid")
            else:
                invalid += 1
                self.stdout.write(f"{result.code or '-'}\tinvalid\t{result.reason}")
        if not checked:
            raise CommandError(_("No codes given."))
        if invalid:
            self.stdout.flush()
            sys.exit(1)
