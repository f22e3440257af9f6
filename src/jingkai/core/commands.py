from django.core.management.base import BaseCommand


class JingkaiCommand(BaseCommand):
    """Base for the platform's commands: `help` may be a lazy translation.

    argparse formats the description with a regular expression, which a lazy proxy does not pass, so the
    help text is turned into a plain (translated) string when the parser is built.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
