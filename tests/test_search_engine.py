"""The search engine is a real Solr 9 on CKAN's schema: full text, facets and filters."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan import model
from ckan.lib.search import rebuild
from ckan.tests import factories
from ckan.tests.helpers import call_action

DATASETS = [
    ("ecoles-strasbourg", "Écoles élémentaires de Strasbourg",
     "Adresses et effectifs des écoles publiques.", ["éducation", "écoles"]),
    ("cantines-metz", "Restauration scolaire à Metz",
     "Menus des cantines de chaque école de la ville de Metz.", ["éducation", "alimentation"]),
    ("ecole-epinal", "École Jules Ferry d'Épinal", "Effectifs et options.", ["éducation"]),
    ("pistes-cyclables-nancy", "Pistes cyclables du Grand Nancy",
     "Tracé des aménagements cyclables.", ["mobilité", "vélo"]),
    ("qualite-air-reims", "Qualité de l'air à Reims",
     "Mesures quotidiennes des polluants.", ["environnement"]),
    ("parkings-colmar", "Parkings de Colmar", "Places disponibles en temps réel.", ["mobilité"]),
]


@pytest.fixture
def french_datasets(clean_db, clean_index):
    org = factories.Organization(name="ville-test", body_type="commune")
    created = {}
    for name, title, notes, tags in DATASETS:
        created[name] = factories.Dataset(
            name=name, title=title, notes=notes, owner_org=org["id"],
            tags=[{"name": t} for t in tags],
        )
    return created


@pytest.mark.usefixtures("french_datasets")
def test_full_text_is_accent_insensitive_and_ranked_by_relevance():
    result = call_action("package_search", q="ecole")
    names = [d["name"] for d in result["results"]]
    # Title matches ("Écoles", "École") outrank a match in the description only.
    assert names[0] in {"ecoles-strasbourg", "ecole-epinal"}
    assert set(names) == {"ecoles-strasbourg", "ecole-epinal", "cantines-metz"}
    assert names[-1] == "cantines-metz"
    assert call_action("package_search", q="epinal")["results"][0]["name"] == "ecole-epinal"
    assert call_action("package_search", q="épinal")["results"][0]["name"] == "ecole-epinal"


@pytest.mark.usefixtures("french_datasets")
def test_facet_counts():
    result = call_action("package_search", q="*:*", **{"facet.field": '["tags"]'}, rows=0)
    tags = result["search_facets"]["tags"]["items"]
    counts = {item["name"]: item["count"] for item in tags}
    assert counts["éducation"] == 3
    assert counts["mobilité"] == 2
    assert counts["vélo"] == 1


def test_date_range_filter(french_datasets):
    old = dt.datetime(2019, 6, 1)
    for name in ("parkings-colmar", "qualite-air-reims"):
        pkg = model.Package.get(french_datasets[name]["id"])
        pkg.metadata_modified = old
    model.Session.commit()
    for name in ("parkings-colmar", "qualite-air-reims"):
        rebuild(french_datasets[name]["id"])

    result = call_action(
        "package_search", fq="metadata_modified:[2019-01-01T00:00:00Z TO 2019-12-31T23:59:59Z]"
    )
    assert sorted(d["name"] for d in result["results"]) == ["parkings-colmar", "qualite-air-reims"]
    recent = call_action("package_search", fq="metadata_modified:[2020-01-01T00:00:00Z TO *]")
    assert recent["count"] == 4
