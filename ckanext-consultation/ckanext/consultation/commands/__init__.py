"""Subcommands of ``ckan consultation``; each module adds its command to ``COMMANDS``."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []

# The subcommands register themselves on import (after COMMANDS exists).
from ckanext.consultation.commands import demo, import_answers, publish  # noqa: E402, F401
