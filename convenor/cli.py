"""The ``convenor`` command: Django management under a plain name.

``convenor import-all DIR`` runs the ``import_all`` management command;
hyphens in the first word are turned into underscores so commands read
naturally on the command line.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a convenor command (``convenor help`` lists them)."""
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convenor.config.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    args[0] = "convenor"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
