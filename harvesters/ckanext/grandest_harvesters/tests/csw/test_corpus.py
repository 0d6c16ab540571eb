"""The real CSW payloads of ../shared/corpus/csw, served as their catalogues served them:
each is harvested, or rejected with a clear reason. One test per file."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers.corpus import CORPUS_ROUTES, corpus_routes
from ckanext.grandest_harvesters.peers.server import PeerServer

INCOMPLETE = "La source n'a pas pu être lue entièrement"


@pytest.fixture(scope="module")
def corpus_peer():
    with PeerServer(corpus_routes()) as peer:
        yield peer


def _endpoint(peer: PeerServer, file: str) -> str:
    route = next(r for r in CORPUS_ROUTES if r.file == file)
    return peer.url_for(route.full_path)


def _dataset(run, guid: str) -> dict:
    return call_action("package_show", id=run.objects[guid].package_id)


def test_geoide_ddt24_all_four_records(corpus_peer, make_source, run_harvest):
    """csw/geoide-ddt24-csw-getrecords-iso19139.xml: the whole catalogue of the DDT of the
    Dordogne in one answer (nextRecord 0); bounding boxes with west and east swapped."""
    run = run_harvest(make_source(
        _endpoint(corpus_peer, "csw/geoide-ddt24-csw-getrecords-iso19139.xml"), "grandest_csw"))
    assert run.job["status"] == "Finished"
    assert run.gather_errors == []
    assert run.stats["added"] == 4
    prefix = "fr-120066022-jdd-"
    noise = _dataset(run, f"{prefix}912496f5-2ee6-4cf2-b2f9-ab030d646168")
    assert noise["title"] == ("Table décrivant les Zones de Bruit stratégiques du département "
                              "de la Dordogne")
    assert noise["license_id"] == "lov2"         # "Licence Ouverte / Open Licence Version 2.0"
    assert noise["bbox"] == "-0.0415269,44.5717,1.44826,45.7146"   # 6 digits: the schema
    assert noise["territorial_coverage"] == []   # departement/24 is not in Grand Est
    assert noise["contact"] == [{"name": "DDT de la Dordogne", "email": "ddt-sig@dordogne.gouv.fr"}]
    assert (noise["issued"], noise["modified"]) == ("2018-08-20", "2018-08-10")
    assert {"Nuisance Bruit", "données ouvertes"} <= {t["name"] for t in noise["tags"]}
    assert {r["format"] for r in noise["resources"]} == {"WMS", "WFS", "SHP"}
    assert not any("GetRecordById" in r["url"] for r in noise["resources"])
    # Its bounds in order: a warning, but no licence one.
    (warning,) = run.errors(noise["remote_id"])
    assert warning.count("; ") == 0
    # The three others declare a licence (useConstraints) without naming it.
    for guid in (f"{prefix}fbe35fab-64f6-4f7f-b27d-6d0d3f11b573",
                 f"{prefix}5571ed3a-65eb-4403-af71-e093494f1ed8",
                 f"{prefix}d94e4854-0718-47c6-a999-24b40685a765"):
        assert _dataset(run, guid)["license_id"] == "notspecified"
        assert run.objects[guid].report_status == "added"
    assert not _dataset(run, f"{prefix}d94e4854-0718-47c6-a999-24b40685a765").get("bbox")


def test_geoide_page_1_of_3(corpus_peer, make_source, run_harvest):
    """csw/geoide-csw-getrecords-iso19139-page-1.xml: page 1 (2 records of 6, nextRecord 3);
    the corpus has no page 2, so the listing is incomplete: the 2 records are imported,
    the job says what is missing and withdraws nothing."""
    endpoint = _endpoint(corpus_peer, "csw/geoide-csw-getrecords-iso19139-page-1.xml")
    run = run_harvest(make_source(endpoint, "grandest_csw"))
    assert run.job["status"] == "Finished"
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE)
    assert "Erreur HTTP 404" in error and "startPosition=3" in error
    assert run.stats["added"] == 2
    plu = _dataset(run, "fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44")
    assert plu["title"] == "Plan local d'urbanisme de la commune de Cartigny"
    assert plu["theme"] == ["REGI"]              # "Usage des sols", GEMET INSPIRE themes
    assert plu["license_id"] == "fr-lo"          # "Licence Ouverte 1.0 http://…"
    assert (plu["issued"], plu.get("modified")) == ("2017-10-07", None)
    assert plu["bbox"] == "1.31279,49.3855,3.28134,50.4819"
    assert plu["language"] == "fr"
    assert {"cartigny", "plu", "Usage des sols"} <= {t["name"] for t in plu["tags"]}
    assert plu["contact"] == [{
        "name": "DDTM 80 (Direction Départementale des Territoires et de la Mer de la Somme)",
        "email": "ddtm-sap-bsig@somme.gouv.fr"}]


def test_geoplateforme_rpg(corpus_peer, make_source, run_harvest):
    """csw/geoplateforme-csw-getrecords-iso19139-IGNF_RPG.xml: one series of the IGN
    Géoplateforme, with anchors, a temporal extent and some seventy links."""
    run = run_harvest(make_source(
        _endpoint(corpus_peer, "csw/geoplateforme-csw-getrecords-iso19139-IGNF_RPG.xml"),
        "grandest_csw"))
    assert run.gather_errors == []
    assert run.errors("IGNF_RPG") == []
    rpg = _dataset(run, "IGNF_RPG")
    assert rpg["title"] == "RPG"
    assert rpg["notes"].startswith("Le Registre Parcellaire Graphique (RPG) est le système")
    # Occupation des terres + Land cover (anchor), Parcelles cadastrales, Usage des sols,
    # Installations agricoles et aquacoles.
    assert rpg["theme"] == ["ENVI", "ECON", "REGI", "AGRI"]
    assert rpg["license_id"] == "lov2"           # the anchor to Etalab's open licence
    assert rpg["frequency"] == "ANNUAL"
    assert rpg["bbox"] == "-5.15,41.32,9.57,51.1"
    assert (rpg["temporal_start"], rpg["temporal_end"]) == ("2007-01-01", "2025-01-01")
    assert (rpg["issued"], rpg["modified"]) == ("2007-01-01", "2025-01-01")
    assert rpg["contact"] == [{
        "name": "Institut national de l'information géographique et forestière (IGN-F)",
        "email": "contact.geoservices@ign.fr"}]
    assert rpg["territorial_coverage"] == []     # FXX, GUF… are not INSEE codes
    formats = [r["format"] for r in rpg["resources"]]
    assert {"WMS", "WMTS", "WFS", "PDF", "CSV", "ZIP"} <= set(formats)
    assert len(formats) == len({(r["url"], r["name"]) for r in rpg["resources"]})
    assert rpg["resources"][0]["url"] == "https://data.geopf.fr/telechargement/resource/RPG"


def test_geo2france_geodcat_ap_is_rejected(corpus_peer, make_source, run_harvest):
    """csw/geo2france-csw-getrecords-geodcatap-page-1.xml: the catalogue answers with
    GeoDCAT-AP (rdf:RDF) records, not ISO 19139: rejected, with that reason."""
    endpoint = _endpoint(corpus_peer, "csw/geo2france-csw-getrecords-geodcatap-page-1.xml")
    run = run_harvest(make_source(endpoint, "grandest_csw"))
    assert run.job["status"] == "Finished"
    (error,) = run.gather_errors
    assert error.startswith(INCOMPLETE)
    assert "GeoDCAT-AP (RDF/XML)" in error and "ISO 19139" in error
    assert run.objects == {}
    assert call_action("package_search", rows=0)["count"] == 0
