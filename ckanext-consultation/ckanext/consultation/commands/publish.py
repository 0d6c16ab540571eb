"""``ckan consultation publish-due`` and ``ckan consultation publish``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import click
from ckan import model

from ckanext.consultation.commands import COMMANDS
from ckanext.consultation.model import Consultation
from ckanext.consultation.publication import schedule
from ckanext.consultation.publication.errors import PublicationFailed, PublicationRefused
from ckanext.consultation.publication.jobs import publish_consultation, publish_followup

# A large consultation's publication outlasts CKAN's default job timeout (180 s).
JOB_TIMEOUT = 3600


@click.command("publish-due", short_help="Weekly round: publish closed consultations, "
                                        "refresh follow-up resources.")
@click.option("--force", is_flag=True, help="Run the round even if the last one is recent.")
@click.option("--sync", is_flag=True,
              help="Publish in this process instead of enqueuing background jobs.")
def publish_due(force: bool, sync: bool) -> None:
    """Publish the results of closed consultations not yet published, and refresh the
    follow-up resource of published ones, at most once every
    ckanext.consultation.publication.schedule_days days (the scheduler loop runs it)."""
    today = dt.date.today()
    next_round = schedule.next_round()
    if not force and next_round is not None and today < next_round:
        click.echo(f"Nothing due: last round on {schedule.last_round()}, next on {next_round}.")
        return
    failures = 0
    for consultation in schedule.closed_unpublished():
        failures += _run(publish_consultation, consultation, "publish", sync)
    for consultation in schedule.published():
        failures += _run(publish_followup, consultation, "refresh the follow-up of", sync)
    schedule.mark_round(today)
    if failures:
        raise click.ClickException(f"{failures} publication(s) failed (see publication_error).")


@click.command("publish", short_help="Publish one consultation's results now.")
@click.argument("consultation")
@click.option("--interim", is_flag=True, help="Interim results of an open consultation.")
def publish(consultation: str, interim: bool) -> None:
    """Publish the results of CONSULTATION (its id or name) in this process."""
    row = (model.Session.get(Consultation, consultation)
           or model.Session.query(Consultation).filter_by(name=consultation).one_or_none())
    if row is None:
        raise click.ClickException(f"No consultation {consultation!r}.")
    try:
        result = publish_consultation(row.id, interim=interim)
    except (PublicationRefused, PublicationFailed) as error:
        raise click.ClickException(str(error)) from None
    click.secho(f"{row.name}: {result['release']} release published as dataset "
                f"{result['package']} ({result['resources']} resources).", fg="green")


def _run(job: Callable[..., dict[str, Any]], consultation: Consultation, what: str,
         sync: bool) -> int:
    """Run or enqueue ``job`` for a consultation; 1 if it failed here, else 0."""
    name, consultation_id = consultation.name, consultation.id
    if not sync:
        tk.enqueue_job(job, [consultation_id], title=f"consultation: {what} {name}",
                       rq_kwargs={"timeout": JOB_TIMEOUT})
        click.echo(f"Enqueued: {what} {name}.")
        return 0
    try:
        job(consultation_id)
    except (PublicationRefused, PublicationFailed) as error:
        click.secho(f"{name}: {error}", fg="red", err=True)
        return 1
    click.echo(f"Done: {what} {name}.")
    return 0


COMMANDS.extend([publish_due, publish])
