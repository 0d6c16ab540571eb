"""``ckan grandest …`` commands."""

from __future__ import annotations

import json

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


@grandest.command("harvest-preview")
@click.argument("url")
@click.option("--type", "source_type", required=True,
              help="harvester type: legacy_alsace, opendatasoft, …")
@click.option("--limit", default=10, show_default=True, help="how many records")
@click.option("--config", "config", default="{}", help="source configuration (JSON)")
@click.pass_context
def harvest_preview(ctx: click.Context, url: str, source_type: str, limit: int,
                    config: str) -> None:
    """Show what the first records of a source would become, without writing anything."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    # A request context gives messages the portal's default language, as in harvest jobs.
    with ctx.meta["flask_app"].test_request_context():
        result = tk.get_action("grandest_harvest_preview")(
            {"user": site_user},
            {"url": url, "type": source_type, "limit": limit, "config": json.loads(config)},
        )
    for item in result["datasets"]:
        click.secho(f"# {item['remote_id']}", fg="green")
        click.echo(json.dumps(item["dataset"], ensure_ascii=False, indent=2))
        for warning in item["warnings"]:
            click.secho(f"  warning: {warning}", fg="yellow")
    for error in result["errors"]:
        click.secho(f"error: {error}", fg="red", err=True)
    click.echo(f"{len(result['datasets'])} datasets mapped, {len(result['errors'])} errors.")
