"""What a partner's CKAN dataset becomes in the regional schema: fields, licences,
resources, dates, the extras (those read into the schema, those that clash with it,
those kept), the source's defaults and the publisher."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.base import MappingError, RemoteRecord
from ckanext.grandest_harvesters.ckan import GrandEstCKANHarvester, remote_datetime
from ckanext.grandest_harvesters.peers import ckan as fixture
from ckanext.grandest_harvesters.peers.corpus import default_corpus_dir
from ckanext.grandest_harvesters.peers.server import PeerServer

PACKAGE = {
    "id": "5b0c8d2e-7a41-4c55-9a0e-3f6f1c2d9e01",
    "name": "arbres-remarquables-de-metz",
    "title": "Arbres remarquables de Metz",
    "notes": "Les **arbres remarquables** de la ville.\n\n- essence\n- hauteur",
    "type": "dataset", "private": False, "state": "active",
    "url": "https://www.metz.fr/arbres",
    "license_id": "odc-odbl", "license_title": "Open Data Commons Open Database License (ODbL)",
    "author": "Ville de Metz", "author_email": "contact@mairie-metz.fr",
    "maintainer": "Service des espaces verts", "maintainer_email": "espaces.verts@mairie-metz.fr",
    "metadata_created": "2019-03-12T10:15:02.123456",
    "metadata_modified": "2024-02-01T08:00:00.000000",
    "organization": {"id": "42", "name": "ville-de-metz", "title": "Ville de Metz",
                     "description": "<p>La <strong>Ville</strong> de Metz.</p>",
                     "image_url": "https://www.metz.fr/logo.png", "type": "organization"},
    "groups": [{"id": "1", "name": "environnement", "title": "Environnement"},
               {"id": "2", "name": "inconnu", "title": "Groupe sans thème"}],
    "tags": [{"name": "arbres"}, {"name": "Arbres"}, {"name": "espaces verts"}],
    "extras": [
        # read into the schema
        {"key": "theme", "value": json.dumps(["http://publications.europa.eu/resource/"
                                              "authority/data-theme/ENVI", "AGRI",
                                              "Mobilité douce"])},
        {"key": "frequency", "value": "Mensuelle"},
        {"key": "identifier", "value": "urn:metz:arbres"},
        {"key": "spatial", "value": json.dumps({"type": "Polygon", "coordinates": [[
            [6.13, 49.06], [6.13, 49.15], [6.24, 49.15], [6.24, 49.06], [6.13, 49.06]]]})},
        {"key": "spatial_uri", "value": "http://id.insee.fr/geo/commune/57463"},
        {"key": "temporal_start", "value": "2018-01-01"},
        {"key": "temporal_end", "value": "2023-12-31"},
        {"key": "dcat_issued", "value": "2018-06-30T00:00:00"},
        {"key": "language", "value": "fre"},
        # named like fields, with values the schema refuses
        {"key": "issued", "value": "le 3 mars"},
        # CKAN core fields' names
        {"key": "name", "value": "ancien-nom"},
        {"key": "title", "value": "Ancien titre"},
        # the remote harvester's bookkeeping
        {"key": "harvest_object_id", "value": "f00"},
        {"key": "harvest_source_title", "value": "SIG"},
        # kept as they are
        {"key": "source", "value": "Service SIG &amp; cartographie"},
        {"key": "précision", "value": "1 m"},
        {"key": "vide", "value": ""},
    ],
    "resources": [
        {"id": "r1", "name": "Arbres (CSV)", "format": "csv", "mimetype": "text/csv",
         "url": "https://data.metz.example/arbres.csv", "size": "1,5 Mo", "state": "active",
         "description": "<p>Le <em>fichier</em></p>",
         "last_modified": "2024-01-31T22:10:00+01:00", "datastore_active": True},
        {"id": "r2", "name": "", "format": "Shapefile (zip)", "mimetype": "application/zip",
         "url": "https://data.metz.example/arbres.zip", "size": 2048, "state": "active"},
        {"id": "r3", "name": "Carte", "format": "", "mimetype": "",
         "url": "https://data.metz.example/carte.geojson", "state": "active"},
        {"id": "r4", "name": "Ancien fichier", "format": "CSV", "state": "deleted",
         "url": "https://data.metz.example/ancien.csv"},
        {"id": "r5", "name": "Fichier déposé ailleurs", "format": "PDF",
         "url": "ftp://ftp.metz.example/arbres.pdf", "state": "active"},
    ],
    "tracking_summary": {"total": 12, "recent": 1},
    "num_tags": 3, "num_resources": 5,
}


def _mapped(package: dict, config: dict | None = None, **portal: Any
            ) -> tuple[dict, list[str]]:
    """The package served by a CKAN portal, gathered and mapped as a harvest would."""
    with PeerServer(fixture.ckan_routes([package], **portal)) as peer:
        (record,) = GrandEstCKANHarvester().gather_records(peer.url, config or {})
        assert isinstance(record, RemoteRecord)
        warnings: list[str] = []
        content = json.loads(json.dumps(record.content))    # as stored in the object
        dataset = GrandEstCKANHarvester().map_record(content, warnings)
        dataset["_portal"] = peer.url
    return dataset, warnings


@pytest.mark.usefixtures("clean_db")
def test_a_complete_dataset(message):
    dataset, warnings = _mapped(PACKAGE)
    portal = dataset.pop("_portal")

    assert dataset["title"] == "Arbres remarquables de Metz"
    assert dataset["notes"] == PACKAGE["notes"]             # CKAN's notes are Markdown
    assert dataset["tags"] == [{"name": "arbres"}, {"name": "espaces verts"}]
    assert dataset["theme"] == ["ENVI", "AGRI"]             # the group adds no new one
    assert dataset["frequency"] == "MONTHLY"
    assert dataset["territorial_coverage"] == ["commune:57463"]
    assert dataset["bbox"] == "6.13,49.06,6.24,49.15"
    assert (dataset["temporal_start"], dataset["temporal_end"]) == ("2018-01-01", "2023-12-31")
    assert dataset["language"] == "fr"
    assert dataset["license_id"] == "odc-odbl"
    assert dataset["identifier"] == "urn:metz:arbres"
    assert dataset["remote_id"] == PACKAGE["id"]
    assert dataset["remote_url"] == f"{portal}/dataset/arbres-remarquables-de-metz"
    assert dataset["url"] == "https://www.metz.fr/arbres"
    # dcat_issued (the data's) before metadata_created (the record's); the extra named
    # "issued" is not a date: left out, said.
    assert (dataset["issued"], dataset["modified"]) == ("2018-06-30", "2024-02-01")
    assert dataset["contact"] == [{"name": "Service des espaces verts",
                                   "email": "espaces.verts@mairie-metz.fr"}]
    assert dataset["extras"] == [{"key": "source", "value": "Service SIG & cartographie"},
                                 {"key": "précision", "value": "1 m"}]
    assert "owner_org" not in dataset and "_organisation" not in dataset
    assert dataset["resources"] == [
        {"url": "https://data.metz.example/arbres.csv", "name": "Arbres (CSV)", "format": "CSV",
         "description": "Le *fichier*", "mimetype": "text/csv", "size": 1572864,
         "last_modified": "2024-01-31T21:10:00"},
        {"url": "https://data.metz.example/arbres.zip", "name": "arbres.zip", "format": "SHP",
         "mimetype": "application/zip", "size": 2048},
        {"url": "https://data.metz.example/carte.geojson", "name": "Carte",
         "format": "GeoJSON"},
    ]
    assert warnings == [
        message("the extra « {key} » (« {value} ») is not a valid value of {field}: left out",
                key="issued", value="le 3 mars", field="issued"),
        message("the extra « {key} » names unknown themes, left out: {themes}", key="theme",
                themes="Mobilité douce"),
        message("the extra « {key} » has the name of a field of the portal: left out",
                key="name"),
        message("the extra « {key} » has the name of a field of the portal: left out",
                key="title"),
        message("the resource « {name} » has no web address: left out",
                name="Fichier déposé ailleurs"),
    ]


@pytest.mark.usefixtures("clean_db")
def test_a_dataset_with_clashing_extras_is_imported(make_source, run_harvest, message):
    """What breaks the stock harvester (CKAN refuses an extra named like a field) imports
    here: valid values in their fields, the others left out and said."""
    config = {"default_extras": {"moisson": "{harvest_source_id} {harvest_object_id}"}}
    with PeerServer(fixture.ckan_routes([PACKAGE])) as peer:
        source = make_source(peer.url, "grandest_ckan", config)
        run = run_harvest(source)
    assert run.job["status"] == "Finished"
    assert run.objects[PACKAGE["id"]].report_status == "added"
    (report,) = run.errors(PACKAGE["id"])
    assert report.startswith(message("Record {guid} imported with warnings: {warnings}",
                                     guid=PACKAGE["id"], warnings=""))
    dataset = call_action("package_show", id=run.objects[PACKAGE["id"]].package_id)
    assert dataset["theme"] == ["ENVI", "AGRI"]
    assert dataset["frequency"] == "MONTHLY"
    assert dataset["identifier"] == "urn:metz:arbres"
    assert dataset["bbox"] == "6.13,49.06,6.24,49.15"
    assert dataset["issued"].startswith("2018-06-30")
    assert dataset["source_platform"] == "CKAN"
    assert dataset["organization"]["name"] == "region-grand-est"     # the source's
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    # The portal's own harvest extras (added when shown), and none of the partner's.
    assert extras.pop("harvest_object_id") == run.objects[PACKAGE["id"]].id
    assert extras.pop("harvest_source_title") == "source"
    extras.pop("harvest_source_id")
    # default_extras' placeholders name the source and the harvest object of the import.
    assert extras.pop("moisson") == f"{source['id']} {run.objects[PACKAGE['id']].id}"
    assert extras == {"source": "Service SIG & cartographie", "précision": "1 m"}
    assert [r["format"] for r in dataset["resources"]] == ["CSV", "SHP", "GeoJSON"]


@pytest.mark.parametrize(("licence", "expected", "warned"), [
    ({"license_id": "lov2"}, "lov2", None),
    ({"license_id": "CC-BY-4.0", "license_title": "Creative Commons Attribution 4.0"},
     "cc-by", None),
    ({"license_id": "gfdl"}, "other-open", None),             # mappings/ckan.yaml
    ({"license_id": "", "license_title": "Licence Ouverte v2.0 (Etalab)"}, "lov2", None),
    ({"license_id": "notspecified", "license_title": "License not specified"},
     "notspecified", None),
    ({"license_id": "other-closed", "license_title": "Other (Not Open)"}, "notspecified",
     ("the licence « {text} » is not an open licence, recorded as not specified",
      "Other (Not Open)")),
    ({"license_id": "licence-metropole", "license_title": "Licence de la Métropole"},
     "notspecified", ("unknown licence « {text} », recorded as not specified",
                      "Licence de la Métropole")),
    ({"license_id": None, "license_title": None}, "notspecified", None),
])
@pytest.mark.usefixtures("clean_db")
def test_licences(message, licence, expected, warned):
    package = {**copy.deepcopy(PACKAGE), "extras": [], "resources": [], **licence}
    package.pop("license_url", None)
    dataset, warnings = _mapped(package)
    assert dataset["license_id"] == expected
    assert warnings == ([message(warned[0], text=warned[1])] if warned else [])


@pytest.mark.usefixtures("clean_db")
def test_extras_that_cannot_be_read_are_left_out(message):
    package = {**copy.deepcopy(PACKAGE), "resources": [], "extras": [
        {"key": "frequency", "value": "Quand le cœur m'en dit"},
        {"key": "accrual_periodicity", "value": "R/P1W"},       # the next choice is taken
        {"key": "theme", "value": "Mobilité douce"},
        {"key": "spatial", "value": "{\"type\": \"Point\", \"coordinates\": [6.17, 49.11]}"},
        {"key": "spatial_uri", "value": "http://id.insee.fr/geo/commune/05061"},  # Gap
        {"key": "identifier", "value": "   "},
        {"key": "temporal_start", "value": "2020-01-01"},
        {"key": "temporal_end", "value": "2019-12-31"},
        {"key": "contact_email", "value": "sig(at)metz"},
    ]}
    dataset, warnings = _mapped(package)
    assert dataset["frequency"] == "WEEKLY"
    assert "theme" in dataset and dataset["theme"] == ["ENVI"]     # from the group
    assert "bbox" not in dataset and dataset["territorial_coverage"] == []
    assert dataset["identifier"] == f"{dataset['_portal']}/dataset/{PACKAGE['id']}"
    assert dataset["temporal_start"] == "2020-01-01" and "temporal_end" not in dataset
    assert dataset["contact"] == [{"name": "Service des espaces verts",
                                   "email": "espaces.verts@mairie-metz.fr"}]
    invalid = "the extra « {key} » (« {value} ») is not a valid value of {field}: left out"
    assert warnings == [
        message(invalid, key="theme", value="Mobilité douce", field="theme"),
        message(invalid, key="frequency", value="Quand le cœur m'en dit", field="frequency"),
        message(invalid, key="spatial_uri", value="http://id.insee.fr/geo/commune/05061",
                field="territorial_coverage"),
        message(invalid, key="spatial", value=package["extras"][3]["value"], field="bbox"),
        message(invalid, key="contact_email", value="sig(at)metz", field="contact_email"),
        message("the temporal coverage ends ({end}) before it starts ({start}): its end is "
                "left out", end="2019-12-31", start="2020-01-01"),
    ]


@pytest.mark.usefixtures("clean_db")
def test_no_title_is_an_error(message):
    package = {**copy.deepcopy(PACKAGE), "title": ""}
    with PeerServer(fixture.ckan_routes([package])) as peer:
        (record,) = GrandEstCKANHarvester().gather_records(peer.url, {})
    with pytest.raises(MappingError) as error:
        GrandEstCKANHarvester().map_record(record.content, [])
    assert str(error.value) == message(
        "CKAN dataset {name} has no title: it cannot be published", name=PACKAGE["name"])


@pytest.mark.usefixtures("clean_db", "with_request_context")
def test_the_source_defaults():
    """default_tags, default_groups and default_extras (with the stock placeholders;
    override_extras says whether they replace the portal's values)."""
    factories.Group(name="partenaires")
    config = json.loads(GrandEstCKANHarvester().validate_config(json.dumps({
        "default_tags": [{"name": "DataGrandEst"}], "default_groups": ["partenaires"],
        "default_extras": {"moissonne_depuis": "{harvest_source_url}/dataset/{dataset_id}",
                           "source": "défaut", "frequency": "Annuelle"}})))
    dataset, _ = _mapped(PACKAGE, config)
    portal = dataset["_portal"]
    assert {"name": "DataGrandEst"} in dataset["tags"]
    assert dataset["groups"] == [{"name": "partenaires"}]
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    assert extras["moissonne_depuis"] == f"{portal}/dataset/{PACKAGE['id']}"
    assert extras["source"] == "Service SIG & cartographie"       # the portal's wins
    assert dataset["frequency"] == "MONTHLY"
    overriding = {**config, "override_extras": True}
    dataset, _ = _mapped(PACKAGE, overriding)
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    assert extras["source"] == "défaut" and dataset["frequency"] == "ANNUAL"


@pytest.mark.usefixtures("clean_db", "with_request_context")
def test_remote_groups_only_local():
    factories.Group(name="environnement")
    dataset, _ = _mapped(PACKAGE, {"remote_groups": "only_local"})
    assert dataset["groups"] == [{"name": "environnement"}]      # "inconnu" is not here


def test_publishers(make_source, run_harvest):
    """remote_orgs: create makes the remote organisation the publisher (created once,
    then reused; one of the portal with the same name is reused), only_local only
    reuses; without it the source's organisation publishes."""
    assert "_organisation" not in _mapped(PACKAGE)[0]
    dataset, _ = _mapped(PACKAGE, {"remote_orgs": "create"})
    assert dataset["_organisation"] == {
        "name": "ville-de-metz", "title": "Ville de Metz", "body_type": "commune",
        "description": "La **Ville** de Metz.", "image_url": "https://www.metz.fr/logo.png"}
    assert _mapped(PACKAGE, {"remote_orgs": "only_local"})[0].get("owner_org") is None

    second = {**copy.deepcopy(PACKAGE), "id": "5b0c8d2e-7a41-4c55-9a0e-3f6f1c2d9e02",
              "name": "bancs-de-metz", "title": "Bancs de Metz"}
    reims = {**copy.deepcopy(PACKAGE), "id": "5b0c8d2e-7a41-4c55-9a0e-3f6f1c2d9e03",
             "name": "parcs-de-reims", "title": "Parcs de Reims",
             "organization": {"name": "ville-de-reims", "title": "Reims (ville)"}}
    existing = factories.Organization(name="ville-de-reims", title="Ville de Reims",
                                      body_type="commune")
    with PeerServer(fixture.ckan_routes([PACKAGE, second, reims])) as peer:
        run = run_harvest(make_source(peer.url, "grandest_ckan", {"remote_orgs": "create"}))
    owners = {guid: call_action("package_show", id=o.package_id)["owner_org"]
              for guid, o in run.objects.items()}
    metz = model.Group.by_name("ville-de-metz")
    assert metz.title == "Ville de Metz" and metz.is_organization
    assert owners == {PACKAGE["id"]: metz.id, second["id"]: metz.id,
                      reims["id"]: existing["id"]}
    assert _mapped(reims, {"remote_orgs": "only_local"})[0]["owner_org"] == existing["id"]


def test_remote_dates():
    assert remote_datetime("2025-07-16").isoformat() == "2025-07-16T00:00:00"
    assert remote_datetime("2019-09-30 22:00:00").isoformat() == "2019-09-30T22:00:00"
    assert remote_datetime("2024-01-31T22:10:00Z").isoformat() == "2024-01-31T22:10:00"
    assert remote_datetime("mar, 10/12/2019 - 09:23").isoformat() == "2019-12-10T09:23:00"
    assert remote_datetime("Date changed  jeu, 19/12/2019 - 03:00").isoformat() \
        == "2019-12-19T03:00:00"
    assert remote_datetime("31/02/2019") is None
    assert remote_datetime("bientôt") is None


@pytest.mark.usefixtures("clean_db")
def test_the_dkan_dataset_of_the_corpus(message):
    """The DKAN record of the corpus (published private, hence never harvested as is),
    mapped as if it were public: DKAN's HTML, French dates, sizes in "octets", ISO
    harvester extras (bbox-*, frequency-of-update, guid, metadata-language), HTML
    entities in extras, a licence given by its URL."""
    path = default_corpus_dir() / "ckan" / "dkan-hautsdefrance-package_show.json"
    (package,) = json.loads(path.read_text())["result"]
    dataset, warnings = _mapped({**package, "private": False}, {"listing": "package_list"},
                                flavour="dkan", lists_hidden=True)

    assert dataset["title"] == "Antennes régionales de la Région Hauts-de-France (au 01/10/2019)"
    assert dataset["notes"] == ("Liste et coordonnées des antennes de proximité du conseil "
                                "régional Hauts-de-France.")
    assert dataset["license_id"] == "fr-lo"
    assert dataset["identifier"] == "4b5f8e1b-de37-47cd-9203-37a59f318b09"
    assert dataset["frequency"] == "AS_NEEDED"
    assert dataset["language"] == "fr"
    assert dataset["bbox"] == "1.18652,48.8055,4.6582,51.1642"
    assert (dataset["issued"], dataset["modified"]) == ("2019-12-10", "2019-09-30")
    assert dataset["contact"] == [{"name": "Opendata de la Région Hauts-de-France",
                                   "email": "opendata@hautsdefrance.fr"}]
    assert {"name": "ANTENNE REGIONALE"} in dataset["tags"]
    assert dataset["resources"][0] == {
        "url": package["resources"][0]["url"], "name": "coordonnees_antennes.xlsx",
        "format": "XLSX", "description": "Tableau des données", "size": 42,
        "last_modified": "2019-12-19T03:00:00"}
    extras = {e["key"]: e["value"] for e in dataset["extras"]}
    assert extras["responsible-party"] == ('[{"name": "R\\u00e9gion Hauts-de-France", '
                                           '"roles": ["pointOfContact"]}]')
    assert not {"harvest_object_id", "metadata_created", "guid", "bbox-east-long"} & set(extras)
    assert warnings == []
