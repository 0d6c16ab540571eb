"""The publication jobs, run by CKAN's jobs worker (``tk.enqueue_job``) or in process.

``publish_consultation`` publishes a closed consultation's results (or re-exports them,
identically); with ``interim=True``, an open consultation's interim results.
``publish_followup`` rebuilds the follow-up resource of a published consultation. Both
hold a per-consultation PostgreSQL lock, so that several workers never write the same
dataset at once. On failure they record ``publication_error`` (French) on the
consultation, leave the previous publication as it was, and raise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.consultation import config
from ckanext.consultation.model import Consultation, FollowUp, Release

from .dataset import DATASET_TYPE, dataset_fields
from .errors import PublicationFailed, PublicationRefused
from .outputs import followup_output, results_outputs
from .releases import FINAL, prepare_release
from .writer import PublicationWriter

__all__ = ["publish_consultation", "publish_followup"]

log = logging.getLogger(__name__)

FINAL_STATUSES = ("closed", "published")
INTERIM_STATUSES = ("open",)


def publish_consultation(consultation_id: str, interim: bool = False) -> dict[str, Any]:
    """Publish the results of a consultation as its dataset (created or updated)."""
    return _run(consultation_id, lambda c, recorded: _publish(c, interim, recorded))


def publish_followup(consultation_id: str) -> dict[str, Any]:
    """Rebuild the follow-up resource of a published consultation (nothing otherwise)."""
    return _run(consultation_id, _publish_followup)


Step = Callable[[Consultation, list[Release]], dict[str, Any]]


def _run(consultation_id: str, step: Step) -> dict[str, Any]:
    with _consultation_lock(consultation_id):
        consultation = model.Session.get(Consultation, consultation_id)
        if consultation is None:
            raise PublicationRefused(f"Aucune consultation n'a l'identifiant {consultation_id}.")
        before = {key: getattr(consultation, key)
                  for key in ("status", "package_id", "published_at")}
        recorded: list[Release] = []
        try:
            return step(consultation, recorded)
        except Exception as error:
            model.Session.rollback()
            message = _message(error)
            _record_failure(consultation_id, before, recorded, message)
            log.warning("Consultation %s not published: %s", consultation_id, message)
            if isinstance(error, PublicationRefused):
                raise
            raise PublicationFailed(message) from error


def _publish(consultation: Consultation, interim: bool,
             recorded: list[Release]) -> dict[str, Any]:
    allowed = INTERIM_STATUSES if interim else FINAL_STATUSES
    if consultation.status not in allowed:
        raise PublicationRefused(
            ("Des résultats intermédiaires ne se publient que pendant la consultation "
             f"(statut actuel : {consultation.status}).") if interim else
            ("Les résultats ne se publient qu'une fois la consultation close "
             f"(statut actuel : {consultation.status})."))
    release = prepare_release(
        consultation, config.policy(), interim=interim, communes=config.publish_communes(),
        departement_age_sex=config.publish_departement_age_sex())
    entries = model.Session.query(FollowUp).filter(
        FollowUp.consultation_id == consultation.id).all()
    outputs = [*results_outputs(release), followup_output(consultation, entries)]
    fields = dataset_fields(release, config.publication_organization())

    def before_commit(package_id: str) -> None:
        # Committed with the dataset's update: the release is recorded iff published.
        if release.new:
            recorded.extend(release.release_rows())
            model.Session.add_all(recorded)
        consultation.package_id = package_id
        consultation.publication_error = None
        if release.kind == FINAL:
            consultation.status = "published"
            consultation.published_at = consultation.published_at or _now()

    writer = PublicationWriter()
    package_id = _existing_package(consultation)
    if package_id is None:
        package = writer.create(fields, outputs, before_commit)
    else:
        package = writer.update(package_id, outputs, fields, before_commit, drop_others=True)
    return {"consultation": consultation.name, "package": package["name"],
            "release": release.kind, "new_release": release.new,
            "participants": release.participants, "resources": len(package["resources"])}


def _publish_followup(consultation: Consultation, recorded: list[Release]) -> dict[str, Any]:
    package_id = _existing_package(consultation)
    if package_id is None:
        # Published with the results, when they are.
        return {"consultation": consultation.name, "package": None}
    entries = model.Session.query(FollowUp).filter(
        FollowUp.consultation_id == consultation.id).all()

    def before_commit(package_id: str) -> None:
        consultation.publication_error = None

    package = PublicationWriter().update(
        package_id, [followup_output(consultation, entries)], before_commit=before_commit)
    return {"consultation": consultation.name, "package": package["name"],
            "followup_entries": len(entries)}


def _existing_package(consultation: Consultation) -> str | None:
    """The id of the consultation's dataset, if it exists (found by id, else by name)."""
    package = (model.Package.get(consultation.package_id) if consultation.package_id
               else None) or model.Package.get(consultation.name)
    if package is None:
        return None
    if package.type != DATASET_TYPE:
        raise PublicationRefused(
            f"Le nom « {consultation.name} » est déjà pris par un autre jeu de données.")
    if package.state == "deleted" or package.private:
        # Deleted by an administrator, or a first publication interrupted before it was
        # made public (the process was killed): this publication starts afresh.
        PublicationWriter().discard(package.id)
        return None
    return package.id


def _record_failure(consultation_id: str, before: dict[str, Any], recorded: list[Release],
                    message: str) -> None:
    """Put the consultation back as it was, with the error for the moderators (and
    forget release records that a late failure left committed)."""
    ids = [row.id for row in recorded if sa.inspect(row).persistent]
    if ids:
        model.Session.query(Release).filter(Release.id.in_(ids)).delete()
    consultation = model.Session.get(Consultation, consultation_id)
    if consultation is None:
        model.Session.commit()
        return
    for key, value in before.items():
        setattr(consultation, key, value)
    consultation.publication_error = message
    model.Session.commit()


def _message(error: Exception) -> str:
    if isinstance(error, PublicationRefused) or type(error).__module__.startswith(
            "ckanext.consultation"):
        # The engine and this package explain themselves in French.
        return str(error)
    detail = (str(error).strip().splitlines() or [""])[0][:500]
    return ("La publication a échoué ; la publication précédente reste en place. Cause : "
            f"{type(error).__name__} : {detail}")


@contextlib.contextmanager
def _consultation_lock(consultation_id: str) -> Iterator[None]:
    """A PostgreSQL session lock per consultation, held while its dataset is written."""
    key = {"key": f"consultation-publication:{consultation_id}"}
    with model.meta.engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_advisory_lock(hashtext(:key))"), key)
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), key)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
