"""What an Opendatasoft dataset becomes in the regional schema."""

from __future__ import annotations

import copy

import pytest
import requests
from ckan.tests.helpers import call_action

from ckanext.grandest_harvesters.opendatasoft import _coverage
from ckanext.grandest_harvesters.peers import opendatasoft as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer

DATASET = {
    "visibility": "domain",
    "dataset_id": "arbres-d-alignement",
    "dataset_uid": "da_x7k2p9",
    "has_records": True,
    "data_visible": True,
    "features": ["analyze", "geo", "timeserie"],
    "attachments": [
        {"id": "documentation_pdf", "mimetype": "application/pdf", "title": "Documentation",
         "url": "odsfile://documentation.pdf"},
        {"id": "inventaire_2015", "mimetype": None, "title": "Inventaire 2015",
         "url": "odsfile://inventaire-2015.xlsx"},
    ],
    "alternative_exports": [],
    "fields": [
        {"name": "essence", "label": "Essence", "type": "text", "description": None,
         "annotations": {}},
        {"name": "geo_point_2d", "label": "Géolocalisation", "type": "geo_point_2d",
         "description": None, "annotations": {}},
    ],
    "metas": {
        "default": {
            "title": "Arbres d'alignement de Strasbourg",
            "description": "<p>Les <strong>arbres</strong> &amp; leurs essences.<br/>Voir "
                           '<a href="https://www.strasbourg.eu/">le site</a>.</p>',
            "theme": ["Environnement", "Urbanisme, Logement", "Thème maison"],
            "keyword": ["Arbres", "arbres", "espaces verts", "l'environnement", "x",
                        "Nature & biodiversité"],
            "license": "Licence Ouverte v2.0 (Etalab)",
            "license_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            "language": "fr",
            "modified": "2024-03-05T10:15:00+00:00",
            "data_processed": "2024-03-05T09:00:00+00:00",
            "metadata_processed": "2024-03-05T10:15:12.532000+00:00",
            "publisher": "Ville et Eurométropole de Strasbourg",
            "records_count": 83214,
            "territory": ["Strasbourg", "Bas-Rhin", "Grand Est"],
            "geographic_reference": ["fr_40_67482", "fr_60_67", "fr_80_44", "fr_60_75",
                                     "fr_40_52", "world"],
            "timezone": "Europe/Paris",
        },
        "dcat": {
            "created": "2016-02-01T08:00:00+00:00",
            "issued": "2016-02-10T09:30:00+00:00",
            "creator": "Ville et Eurométropole de Strasbourg",
            "contact_name": "Service des espaces verts",
            "contact_email": "espaces.verts@strasbourg.eu",
            "accrualperiodicity": "Mensuelle",
            "spatial": "Strasbourg",
            "temporal": "2016-01-01/2023-12-31",
            "granularity": "adresse",
        },
    },
}

# No records, no DCAT contact, an unknown licence, an unreadable date, a territory known
# only by its name.
SPARSE = {
    "visibility": "domain",
    "dataset_id": "rapport_activite",
    "dataset_uid": "da_r4pp0r",
    "has_records": False,
    "features": [],
    "attachments": [{"id": "rapport_pdf", "mimetype": "application/pdf",
                     "title": "Rapport d'activité", "url": "odsfile://rapport.pdf"}],
    "fields": [],
    "metas": {
        "default": {
            "title": "Rapport d'activité 2023",
            "description": None,
            "theme": None,
            "keyword": "rapport",
            "license": "Licence spécifique de réutilisation",
            "license_url": None,
            "language": "it",
            "modified": "hier",
            "publisher": "Ville de Mulhouse",
            "territory": ["Haut-Rhin", "Lyon"],
            "geographic_reference": ["world"],
        },
        "dcat": {"created": "2023-06-30", "contact_email": "pas une adresse",
                 "accrualperiodicity": "Chaque équinoxe"},
    },
}


@pytest.fixture
def harvested(make_source, run_harvest):
    datasets = [copy.deepcopy(DATASET), copy.deepcopy(SPARSE),
                *fixture.generate_catalogue(3, seed=9)]
    with PeerServer(fixture.opendatasoft_routes(datasets)) as peer:
        run = run_harvest(make_source(peer.url, "opendatasoft"))
        yield peer, run


def test_an_opendatasoft_dataset_in_the_regional_schema(harvested, harvest_org):
    peer, run = harvested
    assert run.errors("da_x7k2p9") == []
    dataset = call_action("package_show", id=run.objects["da_x7k2p9"].package_id)
    assert dataset["title"] == "Arbres d'alignement de Strasbourg"
    assert dataset["notes"] == ("Les **arbres** & leurs essences.  \n"
                                "Voir [le site](https://www.strasbourg.eu/).")
    assert sorted(t["name"] for t in dataset["tags"]) == [
        "Arbres", "Nature biodiversité", "espaces verts", "l environnement"]
    assert dataset["theme"] == ["ENVI", "REGI"]
    # Paris (75) and Pays de la Loire (région 52) are left out, as is "world".
    assert dataset["territorial_coverage"] == ["commune:67482", "departement:67", "region:44"]
    assert dataset["license_id"] == "lov2"
    assert dataset["language"] == "fr"
    assert dataset["frequency"] == "MONTHLY"
    assert (dataset["issued"], dataset["modified"]) == ("2016-02-10", "2024-03-05")
    assert (dataset["temporal_start"], dataset["temporal_end"]) == ("2016-01-01", "2023-12-31")
    assert dataset["contact"] == [{"name": "Service des espaces verts",
                                   "email": "espaces.verts@strasbourg.eu"}]
    assert dataset["organization"]["name"] == harvest_org["name"]
    assert dataset["remote_id"] == "da_x7k2p9"
    assert dataset["identifier"] == "arbres-d-alignement"
    assert dataset["remote_url"] == f"{peer.url}/explore/dataset/arbres-d-alignement/"
    assert dataset["source_platform"] == "Opendatasoft"
    api = f"{peer.url}/api/explore/v2.1/catalog/datasets/arbres-d-alignement"
    assert [(r["name"], r["format"], r.get("mimetype"), r["url"])
            for r in dataset["resources"]] == [
        ("Données (CSV)", "CSV", "text/csv", f"{api}/exports/csv"),
        ("Données (JSON)", "JSON", "application/json", f"{api}/exports/json"),
        ("Données (GeoJSON)", "GeoJSON", "application/geo+json", f"{api}/exports/geojson"),
        ("Données (Shapefile)", "SHP", "application/zip", f"{api}/exports/shp"),
        ("Documentation", "PDF", "application/pdf", f"{api}/attachments/documentation_pdf"),
        ("Inventaire 2015", "XLSX", None, f"{api}/attachments/inventaire_2015"),
    ]


def test_resource_urls_are_served_by_the_portal(harvested):
    """The export and attachment URLs exist on an Explore v2.1 portal (here, the peer)."""
    _, run = harvested
    dataset = call_action("package_show", id=run.objects["da_x7k2p9"].package_id)
    for resource in dataset["resources"]:
        assert requests.get(resource["url"], timeout=10).status_code == 200, resource["url"]


def test_a_sparse_dataset_is_imported_with_warnings(harvested):
    peer, run = harvested
    assert run.objects["da_r4pp0r"].report_status == "added"
    assert run.errors("da_r4pp0r") == [
        "Enregistrement da_r4pp0r importé avec des avertissements : "
        "licence « Licence spécifique de réutilisation » inconnue, enregistrée comme non "
        "précisée; date illisible modified (hier), laissée vide; fréquence de mise à jour "
        "« Chaque équinoxe » inconnue, laissée vide; adresse électronique de contact « pas "
        "une adresse » invalide, laissée de côté"
    ]
    dataset = call_action("package_show", id=run.objects["da_r4pp0r"].package_id)
    assert dataset["notes"] == "Rapport d'activité 2023"      # no description: the title
    assert [t["name"] for t in dataset["tags"]] == ["rapport"]
    assert dataset["theme"] == []
    assert dataset["license_id"] == "notspecified"
    assert dataset["language"] == "fr"                         # Italian is not offered
    assert dataset["issued"] == "2023-06-30"                   # dcat.created
    assert not dataset.get("modified") and not dataset.get("frequency")
    assert dataset["contact"] == [{"name": "Ville de Mulhouse"}]   # the publisher
    assert dataset["territorial_coverage"] == ["departement:68"]   # Lyon is left out
    assert [(r["format"], r["url"]) for r in dataset["resources"]] == [
        ("PDF", f"{peer.url}/api/explore/v2.1/catalog/datasets/rapport_activite/attachments/"
                "rapport_pdf")]


@pytest.mark.parametrize(("default", "dcat", "expected"), [
    # udata GeoZones numbering (40 région, 60 département, 80 commune) and the reverse
    ({"geographic_reference": ["fr_40_44"]}, {}, ["region:44"]),
    ({"geographic_reference": ["fr_80_67482", "fr_40_67482"]}, {}, ["commune:67482"]),
    ({"geographic_reference": ["fr_60_52"]}, {}, ["departement:52"]),   # Haute-Marne
    ({"geographic_reference": ["fr_40_52", "fr_60_44", "de_60_08"]}, {}, []),
    ({"geographic_reference": ["fr_68_246700488"]}, {}, ["epci:246700488"]),
    # names only when no reference resolves; an INSEE URI in dcat.spatial
    ({"geographic_reference": ["world"], "territory": ["World"]}, {}, []),
    ({"territory": ["Eurométropole de Strasbourg", "grand-est"]}, {},
     ["epci:246700488", "region:44"]),
    ({"territory": None}, {"spatial": "http://id.insee.fr/geo/commune/68224"},
     ["commune:68224"]),
    ({"geographic_reference": ["fr_40_67482"], "territory": ["Mulhouse"]}, {},
     ["commune:67482"]),
])
def test_territorial_coverage(default, dcat, expected):
    assert _coverage(default, dcat) == expected
