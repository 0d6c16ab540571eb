"""``ckan consultation demo``: the demo consultations (after ``ckan grandest demo``)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.consultation import demo as content
from ckanext.consultation.commands import COMMANDS


@click.command("demo")
def demo() -> None:
    """Create the demo consultations that are missing, publish the one that took place
    (synthetic answers) with its follow-up. Idempotent: re-running adds nothing."""
    if not tk.config["ckanext.grandest.demo.enabled"]:
        raise click.ClickException("The demo is disabled here (ckanext.grandest.demo.enabled).")
    counts = content.seed()
    click.secho(
        f"Demo consultations: {counts['created']} created or completed, "
        f"{counts['kept']} already there.", fg="green")


COMMANDS.append(demo)
