"""Harvesting a generated DCAT catalogue of Grand Est partners: the three syntaxes, both
Hydra paging styles, the mapping into the regional schema, an unchanged re-harvest, datasets
leaving the source."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.peers import dcat as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer

# What the fixture's places, licences, frequencies and publishers are in the regional
# schema (written out here, independently of the harvester's tables).
TERRITORIES = {"Strasbourg": "commune:67482", "Mulhouse": "commune:68224",
               "Reims": "commune:51454", "Nancy": "commune:54395",
               "Moselle": "departement:57", "Grand Est": "region:44",
               "Metz": "commune:57463", "Troyes": "commune:10387"}   # the last two: GeoNames
LICENCES = {"https://www.etalab.gouv.fr/licence-ouverte-open-licence/": "lov2",
            "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0": "cc-by",
            "https://spdx.org/licenses/ODbL-1.0": "odc-odbl",
            fixture.UNKNOWN_LICENCE: "notspecified"}
FREQUENCIES = {fixture.EU + "frequency/ANNUAL": "ANNUAL",
               fixture.EU + "frequency/MONTHLY": "MONTHLY",
               fixture.EU + "frequency/DAILY": "DAILY", "mensuelle": "MONTHLY"}
ORGANISATIONS = {"Ville de Strasbourg": ("ville-de-strasbourg", "commune"),
                 "Eurométropole de Metz": ("eurometropole-de-metz", "epci"),
                 "Département de la Moselle": ("departement-de-la-moselle", "departement"),
                 "ATMO Grand Est": ("atmo-grand-est", "autre")}
SYNTAXES = [("turtle", "/catalogue.ttl"), ("xml", "/catalogue.rdf"),
            ("json-ld", "/catalogue.jsonld")]


def _guid(base: str, dataset: dict) -> str:
    """The record key: the dataset's URI, its dct:identifier for a blank node."""
    return dataset["identifier"] if dataset["blank"] else f"{base}/datasets/{dataset['slug']}"


def _active() -> set[str]:
    return {name for (name,) in model.Session.query(model.Package.name).filter(
        model.Package.type == "dataset", model.Package.state == "active")}


def _modified() -> dict[str, object]:
    return dict(model.Session.query(model.Package.name, model.Package.metadata_modified))


@pytest.mark.parametrize(("syntax", "path"), SYNTAXES, ids=[s for s, _ in SYNTAXES])
def test_each_syntax_gives_the_same_datasets(make_source, run_harvest, syntax, path):
    datasets = fixture.generate_catalogue(24)
    with PeerServer(fixture.dcat_routes(datasets, path=path, syntax=syntax,
                                        page_size=10)) as peer:
        base = peer.url
        run = run_harvest(make_source(base + path, "grandest_dcat"))
        pages = [s.query_string for s in peer.seen if s.path == path]

    titled = [d for d in datasets if d["title"]]
    untitled = [d for d in datasets if not d["title"]]
    warned = [datasets[0], datasets[1], datasets[2]]   # licence, place, theme (see fixture)
    assert run.job["status"] == "Finished"
    assert run.stats == {"added": len(titled), "errored": len(untitled) + len(warned)}
    assert pages == ["", "page=2", "page=3"]           # hydra:next followed to the end
    for dataset in titled:
        guid = _guid(base, dataset)
        package = call_action("package_show", id=run.objects[guid].package_id)
        name = dataset["place"][0]
        assert package["title"] == dataset["title"]
        assert package["remote_id"] == guid
        assert package["identifier"] == dataset["identifier"]
        assert package["source_platform"] == "DCAT"
        assert package["theme"] == [dataset["themes"][0].rsplit("/", 1)[-1]]
        assert package["territorial_coverage"] == ([TERRITORIES[name]]
                                                   if name in TERRITORIES else [])
        assert package["license_id"] == LICENCES[dataset["licence"]]
        assert package["frequency"] == FREQUENCIES[dataset["frequency"]]
        assert package["issued"] == dataset["issued"]
        assert package["modified"] == dataset["modified"][:10]
        assert package["remote_url"] == f"{base}/jeux-de-donnees/{dataset['slug']}/"
        assert package["contact"] == [{"name": "Service open data",
                                       "email": dataset["contact_email"]}]
        organisation, body_type = ORGANISATIONS[dataset["publisher"][0]]
        assert package["organization"]["name"] == organisation
        assert call_action("organization_show", id=organisation)["body_type"] == body_type
        assert sorted((r["format"], r["url"]) for r in package["resources"]) == sorted(
            (format_name, f"{base}/fichiers/{dataset['slug']}.{extension}")
            for extension, _, format_name in dataset["distributions"])
    for dataset in untitled:
        (error,) = run.errors(_guid(base, dataset))
        assert _guid(base, dataset) in error
    licence, place, theme = (run.errors(_guid(base, d)) for d in warned)
    assert licence == [f"Enregistrement {_guid(base, datasets[0])} importé avec des "
                       f"avertissements : licence « {fixture.UNKNOWN_LICENCE} » inconnue, "
                       "enregistrée comme non précisée"]
    assert "http://id.insee.fr/geo/commune/75056" in place[0]
    assert "« Vie associative »" in theme[0]


# Served under a media type that says nothing, the document is recognised from its first
# characters; served under a wrong one, the source configuration's rdf_format prevails.
MISLEADING = {"xml": "application/ld+json", "turtle": "application/rdf+xml",
              "json-ld": "text/turtle"}
CONFIGURED = {"xml": "rdf", "turtle": "ttl", "json-ld": "jsonld"}


@pytest.mark.parametrize("configured", [False, True], ids=["sniffed", "configured"])
@pytest.mark.parametrize("syntax", ["xml", "turtle", "json-ld"])
def test_the_syntax_is_configured_or_recognised(make_source, run_harvest, syntax, configured):
    served_as = MISLEADING[syntax] if configured else "application/octet-stream"
    config = {"rdf_format": CONFIGURED[syntax]} if configured else None
    datasets = [d for d in fixture.generate_catalogue(10) if d["title"]]
    with PeerServer(fixture.dcat_routes(datasets, path="/export", syntax=syntax,
                                        media_type=served_as)) as peer:
        run = run_harvest(make_source(peer.url + "/export", "grandest_dcat", config))
    assert run.stats.get("added") == len(datasets)


def test_legacy_paged_collection_is_followed(make_source, run_harvest):
    datasets = fixture.generate_catalogue(24)
    with PeerServer(fixture.dcat_routes(datasets, path="/catalog.jsonld", syntax="json-ld",
                                        page_size=10, paging="legacy")) as peer:
        run = run_harvest(make_source(peer.url + "/catalog.jsonld?page=1", "grandest_dcat"))
        pages = [s.query_string for s in peer.seen if s.path == "/catalog.jsonld"]
    assert pages == ["page=1", "page=2", "page=3"]      # hydra:nextPage, a literal
    assert run.stats["added"] == len([d for d in datasets if d["title"]])
    assert not run.gather_errors


@pytest.fixture
def small_catalogue():
    datasets = [d for d in fixture.generate_catalogue(16, seed=3) if d["title"]]
    with PeerServer(fixture.dcat_routes(datasets, path="/catalog.ttl", page_size=5)) as peer:
        peer.datasets = datasets
        yield peer


def test_unchanged_reharvest_writes_nothing(small_catalogue, make_source, run_harvest):
    source = make_source(small_catalogue.url + "/catalog.ttl", "grandest_dcat")
    first = run_harvest(source)
    assert first.stats["added"] == len(small_catalogue.datasets)
    before = _modified()

    second = run_harvest(source)
    assert second.stats == {"not modified": len(small_catalogue.datasets)}
    assert _modified() == before


def test_datasets_leaving_the_source_are_withdrawn(small_catalogue, make_source, run_harvest):
    source = make_source(small_catalogue.url + "/catalog.ttl", "grandest_dcat")
    first = run_harvest(source)
    kept = set(_active())
    blank = next(d for d in small_catalogue.datasets if d["blank"])
    gone = [blank, next(d for d in small_catalogue.datasets if not d["blank"])]
    remaining = small_catalogue.datasets
    for dataset in gone:
        remaining = fixture.without_dataset(remaining, dataset["identifier"])
    small_catalogue.datasets[:] = remaining         # the routes read the list in place

    second = run_harvest(source)
    assert second.stats == {"deleted": 2, "not modified": len(remaining)}
    withdrawn = [model.Package.get(first.objects[_guid(small_catalogue.url, d)].package_id)
                 for d in gone]
    assert [package.state for package in withdrawn] == ["deleted", "deleted"]
    assert _active() == kept - {package.name for package in withdrawn}


def test_datasets_stay_in_the_source_organisation_if_configured(small_catalogue, make_source,
                                                                run_harvest, harvest_org):
    run = run_harvest(make_source(small_catalogue.url + "/catalog.ttl", "grandest_dcat",
                                  {"publisher_organisations": False}))
    assert run.stats["added"] == len(small_catalogue.datasets)
    organisations = {p.owner_org for p in model.Session.query(model.Package).filter(
        model.Package.type == "dataset")}
    assert organisations == {harvest_org["id"]}


def test_configuration_is_checked(make_source):
    with pytest.raises(Exception, match="rdf_format"):
        make_source("http://127.0.0.1:1/catalog", "grandest_dcat", {"rdf_format": "n-quads"})
    with pytest.raises(Exception, match="publisher_organisations"):
        make_source("http://127.0.0.1:1/catalog", "grandest_dcat",
                    {"publisher_organisations": "yes"})
