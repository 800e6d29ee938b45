"""The base of clipdesk's management commands: a refusal is said in its own words.

Django prints a CommandError raised from the command line as "CommandError: message", the
name of a Python class in front of what the user is told. Raised here, the message is said
alone (it names the command: "source: 'x' is not an http(s) URL") and the command exits with
the error's status. Called from code (`call_command`, the tests), the error is raised as ever.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError


class ClipdeskCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            from_command_line = getattr(self, "_called_from_command_line", False)
            if not from_command_line or options.get("traceback"):
                raise
            self.stderr.write(str(error))
            sys.exit(error.returncode)
