"""The real DCAT payloads of ../shared/corpus/dcat, served as their portals served them:
each file is harvested, or rejected with a clear reason — one test per file."""

from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers.corpus import CORPUS_ROUTES, corpus_files, corpus_routes
from ckanext.grandest_harvesters.peers.server import PeerServer


@pytest.fixture
def corpus_peer():
    with PeerServer(corpus_routes(rebase=True)) as peer:
        yield peer


def _url(peer: PeerServer, file: str, index: int = 0) -> str:
    return peer.url + [r for r in CORPUS_ROUTES if r.file == file][index].url


def _harvest(peer, make_source, run_harvest, file, *, index=0):
    run = run_harvest(make_source(_url(peer, file, index), "grandest_dcat"))
    assert run.job["status"] == "Finished"
    return run


def _dataset(run, guid: str) -> dict:
    return call_action("package_show", id=run.objects[guid].package_id)


def test_every_dcat_file_has_its_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for file in corpus_files():
        if file.startswith("dcat/"):
            stem = re.sub(r"(\.udata-snapshot)?\.(rdf\.xml|rdf|jsonld|json)$", "",
                          file.removeprefix("dcat/"))
            assert re.sub(r"[-.]", "_", stem) in tested, file


def test_datagouv_udata_vanves_catalog(corpus_peer, make_source, run_harvest):
    """data.gouv.fr's catalogue of an organisation (RDF/XML, one Hydra page)."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/datagouv-udata-vanves-catalog.rdf.xml")
    assert run.stats == {"added": 2}
    vote = _dataset(run, "https://vanves-seineouest.opendatasoft.com/explore/dataset/"
                         "bureau-de-vote-vanves/")
    assert vote["title"] == "Bureaux de vote - Vanves"
    assert vote["tags"] and {t["name"] for t in vote["tags"]} == {
        "administration-finances-publiques", "bureaux-de-vote", "elections"}
    assert vote["license_id"] == "notspecified"        # "License Not Specified": no warning
    assert vote["issued"] == "2019-04-19"
    assert vote["organization"]["name"] == "vanves"    # the publisher's vcard:fn
    assert sorted(r["name"] for r in vote["resources"]) == [
        "bureau-de-vote-vanves.csv", "bureau-de-vote-vanves.geojson",
        "bureau-de-vote-vanves.json", "bureau-de-vote-vanves.zip"]
    assert {r["format"] for r in vote["resources"]} == {"CSV", "JSON", "ZIP"}


def test_capatlantique_ods_explore_v2_1_dcat_export(corpus_peer, make_source, run_harvest):
    """Opendatasoft's whole-catalogue DCAT export (RDF/XML, nested nodes)."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/capatlantique-ods-explore-v2.1-dcat-export.rdf")
    guid = "https://data.capatlantique.fr/explore/dataset/264400516_arretes_ccas_guerande/"
    assert run.stats == {"added": 1, "errored": 1}     # imported with a warning
    dataset = _dataset(run, guid)
    assert dataset["title"] == "Arrêtés du CCAS de Guérande"
    assert dataset["license_id"] == "lov2"
    assert dataset["modified"] == "2025-07-30"
    assert dataset["organization"]["name"] == "ccas-guerande"
    assert call_action("organization_show", id="ccas-guerande")["body_type"] == \
        "etablissement-public"
    assert sorted((r["format"], r["mimetype"]) for r in dataset["resources"]) == [
        ("CSV", "text/csv"), ("JSON", "application/json")]
    (warning,) = run.errors(guid)
    assert "« Citoyenneté / Institution »" in warning  # an Opendatasoft theme, not an EU one


def test_capatlantique_ods_dcat_harvest(corpus_peer, make_source, run_harvest):
    """A udata harvest snapshot (recorded requests and udata's own JSON): not DCAT RDF."""
    url = _url(corpus_peer, "dcat/capatlantique-ods-dcat-harvest.udata-snapshot.json")
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/capatlantique-ods-dcat-harvest.udata-snapshot.json")
    assert run.stats == {"errored": 1}
    (error,) = run.gather_errors
    assert tk._("The JSON document at {url} is not JSON-LD (no @context, @id, @type nor "
                "@graph): it is not a DCAT RDF catalogue").format(url=url) in error


def test_datara_geonetwork_5a26b0f6(corpus_peer, make_source, run_harvest, harvest_org):
    """A GeoDCAT-AP record of GeoNetwork: blank-node record and contacts, empty dates."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/datara-geonetwork-5a26b0f6.rdf.xml")
    guid = "https://catalogue.open-datara.fr/geonetwork/srv/5a26b0f6-0ccf-46ad-ac58-734054b91977"
    assert run.stats == {"added": 1, "errored": 1}
    dataset = _dataset(run, guid)
    assert dataset["title"] == "Campings issus de la BDTopo de Auvergne Rhône-Alpes"
    assert dataset["bbox"] == "2.06288,44.1155,7.18556,46.8043"
    assert not dataset.get("issued") and not dataset.get("modified")   # empty xsd:date
    assert dataset["territorial_coverage"] == []      # Auvergne-Rhône-Alpes: not Grand Est
    assert dataset["owner_org"] == harvest_org["id"]  # no publisher: the source's own
    assert dataset["resources"][0]["url"] == \
        "https://telechargement.open-datara.fr/download/5a26b0f6-0ccf-46ad-ac58-734054b91977"
    (warning,) = run.errors(guid)
    assert "« Gestion des crises et des risques »" in warning
    assert "licence « Ayant droit IGN Bénéficiaires du RGE » inconnue" in warning


def test_datara_geonetwork_f40c3860(corpus_peer, make_source, run_harvest):
    """A GeoDCAT-AP record without typed distribution; a dateTime in an xsd:date."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/datara-geonetwork-f40c3860.rdf.xml")
    guid = "https://catalogue.open-datara.fr/geonetwork/srv/f40c3860-7236-4b30-a141-23b8ae33f7b2"
    assert run.stats == {"added": 1, "errored": 1}
    dataset = _dataset(run, guid)
    assert dataset["modified"] == "2021-01-27"
    assert dataset["contact"] == [{"name": "Administrateur de Données",
                                   "email": "sig.dreal-ara@developpement-durable.gouv.fr"}]
    assert dataset["resources"] == []
    assert "« AUVERGNE-RHONE-ALPES »" in run.errors(guid)[0]


def test_oreme_geonetwork_catalog(corpus_peer, make_source, run_harvest):
    """GeoNetwork's DCAT catalogue: Catalog, CatalogRecord and Dataset; free-text values."""
    run = _harvest(corpus_peer, make_source, run_harvest, "dcat/oreme-geonetwork-catalog.rdf")
    guid = ("https://sig.oreme.org/geonetwork/srv/eng/catalog.search#/metadata//datasets/"
            "0437a976-cff1-4fa6-807a-c23006df2f8f")
    assert run.stats == {"added": 1, "errored": 1}
    dataset = _dataset(run, guid)
    assert dataset["identifier"] == "0437a976-cff1-4fa6-807a-c23006df2f8f"
    assert dataset["frequency"] == "IRREG"            # http://purl.org/cld/freq/irregular
    assert dataset["license_id"] == "lov2"            # "Licence ouverte / Open Licence"
    assert dataset["resources"][0]["url"] == "https://oreme.org/observation/gravi"


def test_oreme_geonetwork_record(corpus_peer, make_source, run_harvest):
    """An older GeoNetwork output: a dataset IRI with a space in it, no catalogue node."""
    run = _harvest(corpus_peer, make_source, run_harvest, "dcat/oreme-geonetwork-record.rdf.xml")
    guid = ("https://sig.oreme.org/geonetwork/srv/resources/datasets/0c456d2d-9548-4a2a-94ef-"
            "231d9d890ce2 https://sig.oreme.org/geonetwork/srv/resources0c456d2d-9548-4a2a-94ef-"
            "231d9d890ce2")
    assert run.stats == {"added": 1, "errored": 1}
    dataset = _dataset(run, guid)
    assert dataset["frequency"] == "CONT"             # "continual" (ISO 19115)
    assert dataset["issued"] == "2004-11-03"
    # "copyright", "license" and the INSPIRE access conditions are not licences.
    assert dataset["license_id"] == "notspecified"
    (warning,) = run.errors(guid)
    assert "licence" not in warning and "http://inspire.ec.europa.eu/theme/ef" in warning


def test_sextant_ifremer_series(corpus_peer, make_source, run_harvest):
    """A node typed both dcat:Dataset and dcat:DatasetSeries, its bbox in GeoJSON."""
    run = _harvest(corpus_peer, make_source, run_harvest, "dcat/sextant-ifremer-series.rdf.xml")
    guid = ("https://sextant.ifremer.fr/geonetwork/srv/api/records/"
            "fc663284-e599-427e-9da6-9fe9519170f3#resource")
    assert run.stats == {"added": 1}
    dataset = _dataset(run, guid)
    assert dataset["identifier"] == "FR-33071536800297-ATLAS_DCE_ARTOIS_PICARDIE_ETATGLOBAL"
    assert dataset["theme"] == ["ENVI"]
    assert dataset["frequency"] == "AS_NEEDED"
    assert dataset["bbox"] == "1.4,50,2.36,51.1"
    assert sorted(r["url"] for r in dataset["resources"]) == [
        "https://sextant.ifremer.fr/services/wfs/dce_ap",
        "https://sextant.ifremer.fr/services/wms/dce_ap"]


def test_evian_arcgis_hub_dcat_us(corpus_peer, make_source, run_harvest):
    """ArcGIS Hub's DCAT-US 1.1 data.json: read with the local DCAT-US context (its remote
    one is never fetched); blank-node datasets keyed on their identifier."""
    run = _harvest(corpus_peer, make_source, run_harvest, "dcat/evian-arcgis-hub-dcat-us.json")
    assert run.stats["added"] == 8
    guid = "https://www.arcgis.com/home/item.html?id=f6565516d1354383b25793e630cf3f2b&sublayer=5"
    bikes = _dataset(run, guid)
    assert bikes["title"] == "stationnement velos"
    assert bikes["notes"] == "Emplacement et description des stationnement vélos à " \
                             "Evian-les-Bains"               # its HTML, as Markdown
    assert bikes["license_id"] == "lov2"             # the Etalab URL inside an HTML licence
    assert bikes["bbox"] == "6.5735,46.3912,6.6069,46.4028"
    assert bikes["organization"]["name"] == "ville-d-evian-les-bains"
    assert {r["format"] for r in bikes["resources"]} == {"HTML", "JSON", "CSV", "GeoJSON",
                                                         "ZIP", "KML"}
    assert all("« geospatial »" in run.errors(g)[0] for g in run.objects)


def test_hydra_partial_collection_1(corpus_peer, make_source, run_harvest):
    """Expanded JSON-LD, page 1 of 2: its hydra:next leads to page 2 (dataset 4)."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/hydra-partial-collection-1.jsonld")
    site = f"{corpus_peer.url}/hydra"
    assert set(run.objects) == {f"{site}/datasets/{n}" for n in (1, 2, 3, 4)}
    assert run.stats["added"] == 4 and not run.gather_errors
    assert [s.query_string for s in corpus_peer.seen] == ["page=1", "page=2"]
    first = _dataset(run, f"{site}/datasets/1")
    assert first["contact"] == [{"name": "Organization contact", "email": "hello@its.me"}]
    assert first["organization"]["name"] == "an-organization"


def test_hydra_partial_collection_2(corpus_peer, make_source, run_harvest):
    """Page 2 of 2 read as a source of its own: no next page, one dataset."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/hydra-partial-collection-2.jsonld", index=0)
    assert set(run.objects) == {f"{corpus_peer.url}/hydra/datasets/4"}
    assert run.stats["added"] == 1 and not run.gather_errors


def test_hydra_legacy_paged_collection_1(corpus_peer, make_source, run_harvest):
    """Page 1 of the older PagedCollection (hydra:nextPage): page 2 is not in the corpus,
    so the listing is incomplete and says so."""
    run = _harvest(corpus_peer, make_source, run_harvest,
                   "dcat/hydra-legacy-paged-collection-1.jsonld")
    site = f"{corpus_peer.url}/hydra-legacy"
    assert set(run.objects) == {f"{site}/datasets/{n}" for n in (1, 2, 3)}
    (error,) = run.gather_errors
    assert "La source n'a pas pu être lue entièrement" in error
    assert f"{site}/catalog.jsonld?page=2" in error and "404" in error


def test_bnodes(corpus_peer, make_source, run_harvest):
    """Relative IRIs (resolved against the page's URL) and a blank-node dataset, keyed on
    its dct:identifier."""
    run = _harvest(corpus_peer, make_source, run_harvest, "dcat/bnodes.rdf.xml")
    site = f"{corpus_peer.url}/bnodes"
    assert set(run.objects) == {f"{site}/dataset-3", "1", f"{site}/dataset-2"}
    assert run.stats == {"added": 3, "errored": 3}  # each with a warning
    blank = _dataset(run, "1")
    assert blank["remote_id"] == "1" and blank["title"] == "Dataset 1"
    third = _dataset(run, f"{site}/dataset-3")
    assert third["license_id"] == "lov2"              # "Licence Ouverte Version 2.0"
    assert third["frequency"] == "DAILY"
    assert (third["temporal_start"], third["temporal_end"]) == ("2016-01-01", "2016-12-05")
    assert "« http://wuEurope.com/ »" in run.errors(f"{site}/dataset-3")[0]
