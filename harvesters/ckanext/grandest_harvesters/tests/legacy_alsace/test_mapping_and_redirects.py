"""What a legacy entry becomes, and the old URLs that lead to it."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import legacy_alsace as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer

ENTRY = {
    "__metadata": {"type": "fr.mgdis.odata.catalog.SourceType",
                   "uri": "http://opendata.alsace.fr/dataserver/CRAL/catalog/Source('lycees')"},
    "id": "lycees",
    "descriptions": {"results": [
        {"locale": "en", "title": "High schools", "summary": "English"},
        {"locale": "fr-FR", "title": "Lycées d'Alsace", "subtitle": "Établissements publics",
         "summary": "<p>Liste des <strong>lycées</strong> &amp; CFA.<br/>Voir "
                    "<a href=\"http://www.region-alsace.eu/\">le site</a>.</p>",
         "keywords": {"results": ["Lycées", "éducation", "lycées", "l'enseignement"]}},
    ]},
    "categories": {"results": [{"name": "Éducation", "uri": "x"}, {"name": "Culture"}]},
    "copyright": {"licences": {"results": [
        {"summary": {"results": [{"language": "fr", "text": "Licence ouverte Alsace"}]},
         "url": "None"}]}, "owner": "cigal"},
    "createdOnDate": "2013-05-14T10:00:00",
    "lastUpdateDate": "2015-09-30T08:30:00Z",
    "updateFrequency": "Annuelle",
    "locale": "fr-FR",
    "privacy": "PUBLIC",
}


@pytest.fixture
def harvested(make_source, run_harvest):
    entries = [ENTRY, *fixture.generate_catalogue(5, seed=3)]
    with PeerServer(fixture.legacy_alsace_routes(entries, rewrite_base=False)) as peer:
        run = run_harvest(make_source(peer.url, "legacy_alsace"))
        dataset = call_action("package_show", id=run.objects["lycees"].package_id)
        yield peer, dataset


def test_a_legacy_entry_in_the_regional_schema(harvested):
    peer, dataset = harvested
    assert dataset["title"] == "Lycées d'Alsace"
    assert dataset["notes"] == ("Établissements publics\n\nListe des **lycées** & CFA.  \n"
                                "Voir [le site](http://www.region-alsace.eu/).")
    assert sorted(t["name"] for t in dataset["tags"]) == ["Lycées", "l enseignement", "éducation"]
    assert dataset["theme"] == ["EDUC"]
    assert dataset["license_id"] == "lov2"
    assert dataset["frequency"] == "ANNUAL"
    assert dataset["territorial_coverage"] == ["departement:67", "departement:68"]
    assert (dataset["issued"], dataset["modified"]) == ("2013-05-14", "2015-09-30")
    assert dataset["organization"]["name"] == "cigal"
    assert dataset["remote_id"] == "lycees"
    assert dataset["identifier"] == ENTRY["__metadata"]["uri"]
    assert dataset["source_platform"] == "Open Data Alsace"
    assert [(r["format"], r["url"]) for r in dataset["resources"]] == [
        ("CSV", f"{peer.url}/dataserver/CRAL/data/lycees?$format=csv"),
        ("JSON", f"{peer.url}/dataserver/CRAL/data/lycees?$format=json"),
        ("ATOM", f"{peer.url}/dataserver/CRAL/data/lycees"),
    ]


def test_legacy_urls_redirect_permanently(app, harvested):
    _, dataset = harvested
    page = f"/dataset/{dataset['name']}"
    resources = {r["format"]: r["id"] for r in dataset["resources"]}
    for url, target in [
        ("/legacy/alsace/lycees", page),
        ("/dataserver/CRAL/data/lycees?$format=csv", f"{page}/resource/{resources['CSV']}"),
        ("/dataserver/CRAL/data/lycees?$format=json", f"{page}/resource/{resources['JSON']}"),
        ("/dataserver/CRAL/data/lycees", f"{page}/resource/{resources['ATOM']}"),
    ]:
        response = app.get(url, follow_redirects=False)
        assert response.status_code == 301, url
        assert response.headers["Location"].endswith(target), url


def test_unknown_legacy_id_is_a_french_404(app, harvested):
    response = app.get("/legacy/alsace/inconnu")
    assert response.status_code == 404
    assert ("Le jeu de données inconnu de l'ancienne plateforme Open Data Alsace n'est pas "
            "sur ce portail.") in response.body.replace("&#39;", "'")
