"""No respondent key, answer id or single answer in any public output of a consultation.

A consultation goes through its whole life (answers sent to the API as the citizen app
does, closing, publication, a follow-up entry and its publication), every log record
being captured. Then every public output is read and scanned: the API (datasets,
search, resources, consultation actions), the files, every DataStore table (through
``datastore_search`` and ``datastore_search_sql``), the Solr documents read from the
core itself, the activity stream, the DCAT-AP exports, the web pages, and the log.

Keys and answer ids are random hex strings; a village answered by two people stands for
"a single answer": its code must appear nowhere (it is pooled into "autres communes").
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
import pytest
import requests
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.consultation.logic import action as consultation_actions
from ckanext.consultation.publication.jobs import publish_consultation, publish_followup
from ckanext.consultation.tests.publication.population import VILLAGE, Answers, population

_HEX_RUN = re.compile(r"[0-9a-f]{24,}")


class Scanner:
    """Looks for the secrets in texts, and remembers where it found them."""

    def __init__(self, secrets: set[str], forbidden_words: set[str]):
        self.secrets = secrets
        # Without their "rk-"/"ans-" prefix too, in case an output strips it.
        self.bare = {secret.split("-", 1)[1] for secret in secrets}
        self.words = {word: re.compile(rf"(?<![0-9A-Za-z]){re.escape(word)}(?![0-9A-Za-z])")
                      for word in forbidden_words}
        self.scanned: list[str] = []
        self.findings: list[str] = []

    def scan(self, where: str, text: str | bytes, words: bool = True) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        self.scanned.append(where)
        for run in _HEX_RUN.findall(text):
            hits = [b for b in self.bare if b in run]
            if hits:
                self.findings.append(f"{where}: a respondent key or answer id ({hits[0]})")
                return
        for word, pattern in self.words.items() if words else ():
            if pattern.search(text):
                self.findings.append(f"{where}: {word!r}")
                return

    def scan_json(self, where: str, value) -> None:
        self.scan(where, json.dumps(value, ensure_ascii=False, default=str))


def _anonymous(action: str, **data):
    return helpers.call_action(action, context={"user": "", "ignore_auth": False}, **data)


def _as(user: dict, action: str, **data):
    return helpers.call_action(action, context={"user": user["name"], "ignore_auth": False},
                               **data)


@dataclass
class Life:
    """A consultation after its whole life, and who lived it."""

    region: dict
    moderator: dict
    consultation: dict
    answers: Answers

    @property
    def package(self) -> dict:
        return _anonymous("package_show", id="fuite")


def _live(app) -> Life:
    """A consultation's life, through the HTTP API as the app and the moderators use it."""
    region = factories.Organization(name="region-grand-est", body_type="region")
    moderator = factories.Sysadmin()
    token = factories.APIToken(user=moderator["name"])["token"]
    api = {"headers": {"Authorization": token}}
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    answers = population(seed=11)
    created = app.post("/api/3/action/consultation_create", json={
        "name": "fuite", "title": "Consultation sans fuite", "theme": "SOCI",
        "questions": [{"text": "Êtes-vous d'accord ?", "options": ["Oui", "Non", "Sans avis"]}],
    }, **api).json["result"]
    app.post("/api/3/action/consultation_open", json={"id": created["id"]}, **api)
    for start in range(0, len(answers.rows), 500):
        report = app.post("/api/3/action/consultation_answers_import", json={
            "consultation_id": created["id"], "answers": answers.rows[start:start + 500]},
            **api).json["result"]
        assert report["rejected"] == 0
    app.post("/api/3/action/consultation_close", json={"id": created["id"]}, **api)
    publish_consultation(created["id"])   # what the job enqueued on closing does
    app.post("/api/3/action/consultation_followup_create", json={
        "consultation_id": created["id"], "status": "in_progress", "progress": 30,
        "decision": "Étude lancée."}, **api)
    publish_followup(created["id"])
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    return Life(region, moderator, created, answers)


def _scan_api(scanner: Scanner, life: Life) -> None:
    package = life.package
    scanner.scan_json("package_show", package)
    scanner.scan_json("package_search", _anonymous("package_search", q="*:*", rows=1000))
    scanner.scan_json("package_search (sysadmin, private included)",
                      _as(life.moderator, "package_search", q="*:*", rows=1000,
                          include_private=True))
    scanner.scan_json("organization_show", _anonymous(
        "organization_show", id=life.region["id"], include_datasets=True))
    for resource in package["resources"]:
        scanner.scan_json(f"resource_show {resource['name']}",
                          _anonymous("resource_show", id=resource["id"]))
        scanner.scan_json(f"resource_view_list {resource['name']}",
                          _anonymous("resource_view_list", id=resource["id"]))


def _scan_consultation_actions(scanner: Scanner, life: Life) -> None:
    """Every read-only action of the plugin, anonymous and as a moderator."""
    consultation_id = life.consultation["id"]
    for name in consultation_actions.__all__:
        action = tk.get_action(name)
        if not getattr(action, "side_effect_free", False):
            continue
        for who, user in (("anonymous", ""), ("moderator", life.moderator["name"])):
            for data in ({}, {"id": consultation_id}, {"consultation_id": consultation_id}):
                try:
                    result = action({"user": user, "ignore_auth": False}, dict(data))
                except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized):
                    continue
                scanner.scan_json(f"{name} ({who}, {sorted(data)})", result)


def _scan_files(scanner: Scanner, app, life: Life) -> None:
    for resource in life.package["resources"]:
        response = app.get(urlparse(resource["url"]).path, status=200)
        scanner.scan(f"file {resource['name']}", response.get_data())


def _scan_datastore(scanner: Scanner, life: Life) -> None:
    """Every DataStore table, through both search actions and straight from the database."""
    tables = _anonymous("datastore_search", resource_id="_table_metadata", limit=32000)
    names = {record["name"] for record in tables["records"]} - {"_table_metadata"}
    assert names == {r["id"] for r in life.package["resources"] if r["datastore_active"]}
    for table in sorted(names):
        scanner.scan_json(f"datastore_search {table}",
                          _anonymous("datastore_search", resource_id=table, limit=32000))
        scanner.scan_json(f"datastore_search_sql {table}",
                          _anonymous("datastore_search_sql", sql=f'SELECT * FROM "{table}"'))
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    try:
        with engine.connect() as connection:
            for table in connection.execute(sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars():
                rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).all()
                scanner.scan(f"DataStore database table {table}", repr(rows))
    finally:
        engine.dispose()


def _scan_solr(scanner: Scanner) -> None:
    """The search index, read from the Solr core itself."""
    solr = requests.get(f"{tk.config['solr_url']}/select",
                        params={"q": "*:*", "rows": 1000, "wt": "json", "fl": "*"}, timeout=30)
    solr.raise_for_status()
    documents = solr.json()["response"]["docs"]
    assert documents
    for document in documents:
        # The territory filter lists every commune of the région (the dataset's
        # coverage), the village's code included: scanned for keys only.
        area = document.pop("vocab_territory_area", [])
        assert "region:44" in area
        scanner.scan_json(f"Solr document {document.get('name')}", document)
        scanner.scan("Solr territory filter", json.dumps(area), words=False)


def _scan_activity(scanner: Scanner, life: Life) -> None:
    """The public activity stream, and the site user's activities (publications run as
    the site user, whose activities CKAN hides from the public lists) with their data."""
    public = _anonymous("package_activity_list", id="fuite", limit=100)
    public += _anonymous("organization_activity_list", id=life.region["id"], limit=100)
    public += _anonymous("recently_changed_packages_activity_list", limit=100)
    scanner.scan_json("public activity lists", public)
    activities = _as(life.moderator, "package_activity_list", id="fuite", limit=100,
                     include_hidden_activity=True)
    activities += _as(life.moderator, "organization_activity_list", id=life.region["id"],
                      limit=100, include_hidden_activity=True)
    assert len(activities) >= 4   # created, made public, follow-up update (x2 lists)
    scanner.scan_json("activity lists", activities)
    for activity in public + activities:
        scanner.scan_json(f"activity {activity['id']}",
                          _as(life.moderator, "activity_data_show", id=activity["id"]))


def _scan_pages(scanner: Scanner, app, life: Life) -> None:
    """DCAT-AP exports, the dataset's pages and the consultation pages."""
    package = life.package
    urls = [f"/dataset/{package['id']}.ttl", "/dataset/fuite.ttl", "/dataset/fuite.jsonld",
            "/catalog.ttl", "/consultation/fuite", "/dataset/activity/fuite"]
    urls += [f"/consultation/fuite/resource/{r['id']}" for r in package["resources"]]
    endpoints = {rule.endpoint for rule in app.flask_app.url_map.iter_rules()}
    if "consultations.index" in endpoints:
        urls += ["/consultations", "/consultations/fuite", "/consultations/transparence"]
    for url in urls:
        response = app.get(url)
        assert response.status_code == 200, url
        scanner.scan(f"page {url}", response.get_data())


@pytest.fixture
def ckan_log(caplog):
    """Every record of CKAN's and the plugins' loggers, down to DEBUG.

    Loading the test configuration (``fileConfig``) disabled the loggers that existed
    then; a running portal's loggers are live, so they are turned back on here.
    """
    loggers = [logger for name, logger in logging.root.manager.loggerDict.items()
               if name.split(".")[0] in ("ckan", "ckanext")
               and isinstance(logger, logging.Logger)]
    disabled = [logger for logger in loggers if logger.disabled]
    for logger in disabled:
        logger.disabled = False
    caplog.set_level(logging.DEBUG, logger="ckan")
    caplog.set_level(logging.DEBUG, logger="ckanext")
    yield caplog
    for logger in disabled:
        logger.disabled = True


def test_no_public_output_reveals_a_respondent(app, clean_db, clean_index,
                                               clean_datastore_tables, ckan_log):
    life = _live(app)
    assert life.package["num_resources"] == 10
    scanner = Scanner(life.answers.respondent_keys | life.answers.answer_ids, {VILLAGE[0]})
    _scan_api(scanner, life)
    _scan_consultation_actions(scanner, life)
    _scan_files(scanner, app, life)
    _scan_datastore(scanner, life)
    _scan_solr(scanner)
    _scan_activity(scanner, life)
    _scan_pages(scanner, app, life)
    logged = [record.getMessage() for record in ckan_log.records]
    assert any("consultation" in message for message in logged)
    scanner.scan("log", "\n".join(logged))
    assert len(scanner.scanned) > 60
    assert scanner.findings == [], "\n".join(scanner.findings)


def test_the_scanner_finds_what_it_looks_for():
    """The scan above cannot pass by looking the wrong way."""
    answers = population(seed=12)
    key, answer_id = sorted(answers.respondent_keys)[0], sorted(answers.answer_ids)[0]
    scanner = Scanner(answers.respondent_keys | answers.answer_ids, {VILLAGE[0]})
    scanner.scan("clean", "Oui,67482,Strasbourg,12 88154000 1788154 a88154")
    scanner.scan("key", f"respondent {key}")
    scanner.scan("bare key", json.dumps({"k": key.removeprefix("rk-")}))
    scanner.scan("answer id", f"x{answer_id}y")
    scanner.scan("village", "commune,88154,Domrémy")
    assert [finding.split(":")[0] for finding in scanner.findings] == [
        "key", "bare key", "answer id", "village"]
