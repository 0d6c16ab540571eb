"""What an ISO 19139 record becomes in the regional schema, field by field."""

from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.csw import _licence_in, _territory, mapping, record_url
from ckanext.grandest_harvesters.peers import csw as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer
from ckanext.grandest_harvesters.tests.csw.conftest import record_xml, static_catalogue

FULL = "fr-geograndest-pistes-cyclables"
SPARSE = "fr-geograndest-sparse"
UNTITLED = "fr-geograndest-untitled"


@pytest.fixture
def harvested(make_source, run_harvest):
    records = [record_xml(name) for name in ("full", "sparse", "untitled", "anonymous")]
    with PeerServer(static_catalogue(records)) as peer:
        csw_url = peer.url_for(fixture.CSW_PATH)
        yield csw_url, run_harvest(make_source(csw_url, "grandest_csw"))


def test_a_full_record_in_the_regional_schema(harvested, harvest_org):
    csw_url, run = harvested
    assert run.errors(FULL) == []
    dataset = call_action("package_show", id=run.objects[FULL].package_id)
    assert dataset["title"] == "Pistes cyclables du Grand Est"
    assert dataset["notes"] == "Tracé des pistes et bandes cyclables.\n\nSource : SIG régional."
    assert dataset["identifier"] == dataset["remote_id"] == FULL
    assert dataset["source_platform"] == "CSW (ISO 19139)"
    assert dataset["organization"]["name"] == harvest_org["name"]
    # Every keyword, once whatever its case; punctuation that tags refuse becomes a space.
    assert sorted(t["name"] for t in dataset["tags"]) == [
        "54395", "Administrative units", "Département 67", "Metz", "Réseaux de transport",
        "Usage des sols", "Vélo", "mobilité douce"]
    # INSPIRE themes: a label of the GEMET thesaurus, and an anchor to the theme register
    # in the same block; "Usage des sols" outside the thesaurus is only a tag.
    assert dataset["theme"] == ["TRAN", "GOVE"]
    # Bare "67" as a geographic identifier is the Bas-Rhin; bare "44" is not taken for the
    # région; the keywords give the Bas-Rhin again (prefixed) and Metz (INSEE URI); a bare
    # 54395 in a keyword is not read as a code.
    assert dataset["territorial_coverage"] == ["departement:67", "commune:57463"]
    assert dataset["bbox"] == "5.8,47.4,8.2,49.6"
    assert (dataset["temporal_start"], dataset["temporal_end"]) == ("2019-01-01", "2023-12-31")
    # issued: the earliest publication (not the creation); modified: the latest revision.
    assert (dataset["issued"], dataset["modified"]) == ("2019-05-02", "2024-02-15")
    assert dataset["frequency"] == "BIWEEKLY"                  # fortnightly
    assert dataset["language"] == "fr"
    assert dataset["license_id"] == "odc-odbl"                 # by the anchor's URL
    # The resource's pointOfContact, not its author nor the metadata's contact.
    assert dataset["contact"] == [{"name": "Direction des mobilités",
                                   "email": "mobilites@grandest.fr"}]
    # A GeoNetwork endpoint (…/srv/fre/csw): the record's page in GeoNetwork.
    assert dataset["remote_url"] == csw_url.replace(
        "/csw", f"/catalog.search#/metadata/{FULL}")
    # Once each; not the FTP link, nor the link to the record itself.
    assert [(r["name"], r["format"], r["url"], r.get("description", ""))
            for r in dataset["resources"]] == [
        ("pistes_cyclables", "WMS", "https://geo.grandest.fr/wms?layers=pistes", ""),
        ("Service WFS", "WFS", "https://geo.grandest.fr/ows?SERVICE=WFS&REQUEST=GetCapabilities",
         ""),
        ("Pistes (GeoPackage)", "GPKG", "https://geo.grandest.fr/data/pistes.gpkg",
         "Export complet, mis à jour chaque quinzaine"),
        ("Téléchargement Atom", "GPKG", "https://atom.grandest.fr/get?id=pistes", ""),
        ("doc", "", "https://geo.grandest.fr/doc/", ""),
    ]


def test_a_sparse_record_is_imported_with_warnings(harvested):
    _, run = harvested
    assert run.objects[SPARSE].report_status == "added"
    (warning,) = run.errors(SPARSE)
    assert warning.startswith(f"Enregistrement {SPARSE} importé avec des avertissements : ")
    for expected in ("date illisible creation (le 3 mai), laissée vide",
                     "fréquence de mise à jour « everyFullMoon » inconnue, laissée vide",
                     "adresse électronique de contact « pas une adresse » invalide"):
        assert expected in warning
    assert warning.count("; ") == 4        # and the bounds, and the licence
    dataset = call_action("package_show", id=run.objects[SPARSE].package_id)
    assert dataset["notes"] == dataset["title"] == "Haies du Haut-Rhin"
    assert dataset["bbox"] == "6.8,47.4,7.6,48.3"           # west and east put back in order
    assert dataset["license_id"] == "notspecified"
    assert dataset["contact"] == [{"name": "Chambre d agriculture"}]
    assert dataset["territorial_coverage"] == [] and dataset["theme"] == []
    assert dataset["resources"] == []
    assert not dataset.get("issued") and not dataset.get("frequency")


def test_records_without_title_or_identifier_are_errors(harvested):
    _, run = harvested
    assert run.objects[UNTITLED].package_id is None
    (error,) = run.errors(UNTITLED)
    assert UNTITLED in error
    # The record without fileIdentifier never becomes a harvest object; it is named by
    # its title in the job's gather errors.
    (skipped,) = run.gather_errors
    assert "Fiche anonyme" in skipped and "fileIdentifier" in skipped
    assert run.stats == {"added": 2, "errored": 3}


@pytest.mark.parametrize(("text", "url", "expected"), [
    ("Licence Ouverte 1.0 http://www.data.gouv.fr/Licence-Ouverte-Open-Licence.", "", "fr-lo"),
    ("Licence Ouverte / Open Licence Version 2.0 "
     "https://www.etalab.gouv.fr/licence-ouverte-open-licence", "", "lov2"),
    ("Licence Ouverte / Open License (compatible ODC-BY, CC-BY 2.0)",
     "https://www.etalab.gouv.fr/wp-content/uploads/2018/11/open-licence.pdf", "lov2"),
    ("licence ouverte v1", "", "fr-lo"),
    ("Réutilisation soumise à la licence ODbL 1.0", "", "odc-odbl"),
    ("Licence de la base", "https://opendatacommons.org/licenses/odbl/", "odc-odbl"),
    ("CC-BY-SA 4.0", "", "cc-by-sa"),
    ("Creative Commons Attribution", "", "cc-by"),
    ("Données sous CC0", "", "cc-zero"),
    ("Pas de restriction d'accès public selon INSPIRE",
     "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
     None),
    ("Mentionner la source : DREAL Grand Est, accès aux documents", "", None),
])
def test_licences_named_in_constraints(text, url, expected):
    assert _licence_in(text, url, mapping()) == expected


@pytest.mark.parametrize(("value", "bare", "expected"), [
    ("http://id.insee.fr/geo/commune/67482", False, "commune:67482"),
    ("https://id.insee.fr/geo/region/44", False, "region:44"),
    ("http://id.insee.fr/geo/departement/24", True, None),       # Dordogne
    ("INSEE 68224", False, "commune:68224"),
    ("Code INSEE : 08105", False, "commune:08105"),
    ("région=44", False, "region:44"),
    ("EPCI 246700488", False, "epci:246700488"),
    ("57", True, "departement:57"),
    ("57", False, None),                       # a bare keyword is not a code
    ("44", True, None),                        # Loire-Atlantique, not the région
    ("67482", True, "commune:67482"),
    ("FXX", True, None),
    ("Commune de Strasbourg", False, None),
])
def test_territory_codes(value, bare, expected):
    assert _territory(value, mapping(), bare=bare) == expected


def test_record_pages():
    assert record_url("https://www.geograndest.fr/geonetwork/srv/fre/csw?service=CSW",
                      "abc") == ("https://www.geograndest.fr/geonetwork/srv/fre/"
                                 "catalog.search#/metadata/abc")
    assert record_url("https://geo.example.org/csw", "a b") == (
        "https://geo.example.org/csw?service=CSW&version=2.0.2&request=GetRecordById&id=a+b"
        "&outputSchema=http%3A%2F%2Fwww.isotc211.org%2F2005%2Fgmd&elementSetName=full")
