"""``ckan grandest …`` commands."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.grandest import demo

__all__ = ["grandest"]


@click.group(short_help="Open Data Grand Est commands")
def grandest() -> None:
    """Open Data Grand Est commands."""


@grandest.command("demo")
def demo_command() -> None:
    """Create the demo organisations and datasets that are missing (idempotent)."""
    if not tk.config["ckanext.grandest.demo.enabled"]:
        raise click.ClickException("The demo is disabled here (ckanext.grandest.demo.enabled).")
    counts = demo.seed()
    click.secho(
        f"Demo content: {counts['created']} created, {counts['kept']} already there.", fg="green"
    )
