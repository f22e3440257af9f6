"""jingkai i18n: refresh, fill and compile the zh_Hans catalogue (see jingkai.core.i18n)."""

import os

import polib
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jingkai.core import i18n


class Command(BaseCommand):
    requires_system_checks = []  # works while the URL tree is incomplete
    help = (
        "Extract UI strings, fill translations from locale/pending/*.json, compile; fail if any is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-extract", action="store_true", help="only fill and compile")

    def handle(self, *args, no_extract=False, **options):
        if not no_extract:
            cwd = os.getcwd()
            os.chdir(i18n.PACKAGE_DIR)  # makemessages scans the current directory
            try:
                call_command(
                    "makemessages",
                    locale=["zh_Hans"],
                    no_location=True,
                    no_obsolete=True,
                    ignore_patterns=["static/*", "locale/*"],
                    verbosity=0,
                )
            finally:
                os.chdir(cwd)
        po = polib.pofile(str(i18n.PO_PATH), wrapwidth=0)
        po.metadata.update(
            {
                "Language": "zh_Hans",
                "Plural-Forms": "nplurals=1; plural=0;",
                "Content-Type": "text/plain; charset=UTF-8",
                "Project-Id-Version": "jingkai",
            }
        )
        filled = i18n.fill(po, i18n.load_pending())
        i18n.drop_obsolete(po)
        po.save()
        missing = i18n.untranslated(po)
        cwd = os.getcwd()
        os.chdir(i18n.PACKAGE_DIR)
        try:
            call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
        finally:
            os.chdir(cwd)
        self.stdout.write(f"filled {filled}; {len(po)} entries; {len(missing)} untranslated")
        for entry in missing:
            self.stdout.write(f"  untranslated: {entry.msgid!r}")
        if missing:
            raise CommandError(f"{len(missing)} msgids have no Chinese translation")
