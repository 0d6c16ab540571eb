"""``ckan consultation …``: one module per command under ``commands/``."""

from __future__ import annotations

import click

from ckanext.consultation.commands import COMMANDS

__all__ = ["consultation"]


@click.group(short_help="Citizen consultations: import answers, publish results.")
def consultation() -> None:
    pass


for command in COMMANDS:
    consultation.add_command(command)
