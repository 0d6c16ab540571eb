"""The vocabularies load from their data files and answer as the portal needs.

Pure unit tests: no CKAN, no services.
"""

from __future__ import annotations

import pytest
import yaml

from ckanext.grandest import vocabularies as v

DEPARTEMENTS = {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}
STRASBOURG, EMS = "commune:67482", "epci:246700488"


# -- territories: content ---------------------------------------------------------------


def test_counts_and_levels():
    by_level: dict[str, list[v.Territory]] = {}
    for found in v.territories().values():
        by_level.setdefault(found.level, []).append(found)
    assert set(by_level) == set(v.LEVELS)
    assert [t.key for t in by_level["region"]] == ["region:44"]
    assert {t.code for t in by_level["departement"]} == DEPARTEMENTS
    assert len(by_level["commune"]) > 5000
    assert 100 < len(by_level["epci"]) < 200


def test_every_key_is_prefixed_and_every_parent_exists():
    all_territories = v.territories()
    for key, found in all_territories.items():
        assert key == f"{found.level}:{found.code}"
        assert all(parent in all_territories for parent in found.parents), key
    communes = [t for t in all_territories.values() if t.level == "commune"]
    assert all(t.population is not None for t in communes)
    assert all(t.parents[-1] == f"departement:{t.code[:2]}" for t in communes)


@pytest.mark.parametrize(
    ("key", "name", "parents"),
    [
        ("region:44", "Grand Est", ()),
        ("departement:67", "Bas-Rhin", ("region:44",)),
        (EMS, "Eurométropole de Strasbourg", ("departement:67",)),
        (STRASBOURG, "Strasbourg", (EMS, "departement:67")),
        ("commune:57463", "Metz", ("epci:200039865", "departement:57")),
        ("commune:88160", "Épinal", ("epci:200068757", "departement:88")),
    ],
)
def test_known_territories(key, name, parents):
    found = v.territory(key)
    assert found is not None
    assert (found.name, found.parents) == (name, parents)


def test_level_prefixes_keep_codes_apart():
    assert v.territory("region:44").name == "Grand Est"
    assert v.territory("departement:44") is None  # Loire-Atlantique: not in Grand Est
    assert v.territory("67482") is None


def test_provenance_says_how_to_regenerate():
    prov = v.provenance()
    assert prov["npm_package"] == "@etalab/decoupage-administratif"
    assert prov["version"].count(".") == 2
    assert prov["generated"]
    assert prov["command"] == ".venv/bin/python scripts/generate_cog.py"


# -- territories: hierarchy -------------------------------------------------------------


def test_ancestors_and_hierarchy_keys():
    assert v.ancestors(STRASBOURG) == [EMS, "departement:67", "region:44"]
    assert v.ancestors(EMS) == ["departement:67", "region:44"]
    assert v.ancestors("region:44") == []
    assert v.ancestors("commune:00000") == []
    assert v.hierarchy_keys(STRASBOURG) == [STRASBOURG, EMS, "departement:67", "region:44"]
    assert v.hierarchy_keys("commune:00000") == []


def test_cross_departement_epci_does_not_leak_into_its_communes():
    # CA de Saint-Dié-des-Vosges has members in Meurthe-et-Moselle and in the Vosges.
    saint_die_epci = "epci:200071066"
    assert v.territory(saint_die_epci).parents == ("departement:54", "departement:88")
    assert v.ancestors(saint_die_epci) == ["departement:54", "departement:88", "region:44"]
    assert v.ancestors("commune:88413") == [saint_die_epci, "departement:88", "region:44"]
    assert "commune:88413" not in v.descendants("departement:54")
    assert saint_die_epci in v.descendants("departement:54")


def test_descendants():
    assert len(v.descendants("region:44")) == len(v.territories()) - 1
    assert STRASBOURG in v.descendants(EMS)
    assert len(v.descendants(EMS)) == 33
    bas_rhin = v.descendants("departement:67")
    assert {STRASBOURG, EMS} <= bas_rhin
    assert all(key.startswith(("commune:67", "epci:")) for key in bas_rhin)
    assert v.descendants(STRASBOURG) == set()


def test_hierarchy_is_consistent_both_ways():
    for key in v.territories():
        for above in v.ancestors(key):
            assert key in v.descendants(above)
        assert len(set(v.ancestors(key))) == len(v.ancestors(key))


# -- territories: URIs and search -------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "uri"),
    [
        ("region:44", "http://id.insee.fr/geo/region/44"),
        ("departement:08", "http://id.insee.fr/geo/departement/08"),
        (EMS, "http://id.insee.fr/geo/intercommunalite/246700488"),
        (STRASBOURG, "http://id.insee.fr/geo/commune/67482"),
    ],
)
def test_territory_uris_round_trip(key, uri):
    assert v.territory_uri(key) == uri
    assert v.territory_from_uri(uri) == key
    assert v.territory_from_uri(uri.replace("http:", "https:") + "/") == key


def test_every_territory_uri_round_trips():
    for key in v.territories():
        assert v.territory_from_uri(v.territory_uri(key)) == key


def test_unknown_uris_and_keys():
    assert v.territory_uri("commune:00000") is None
    assert v.territory_from_uri("http://id.insee.fr/geo/commune/75056") is None  # Paris
    assert v.territory_from_uri("http://id.insee.fr/geo/canton/6701") is None
    assert v.territory_from_uri("https://example.org/commune/67482") is None


def _names(query: str, limit: int = 20) -> list[str]:
    return [found.name for found in v.search_territories(query, limit)]


def test_search_exact_name_first():
    results = v.search_territories("strasbourg")
    assert [t.key for t in results[:2]] == [STRASBOURG, EMS]
    assert _names("METZ")[0] == "Metz"


def test_search_ignores_accents_case_hyphens_and_apostrophes():
    assert _names("epinal")[0] == "Épinal"
    assert _names("saint die")[0] == "Saint-Dié-des-Vosges"
    saint_etienne = _names("saint etienne")
    assert all(name.startswith("Saint-Étienne-") for name in saint_etienne[:5])
    assert "Villey-Saint-Étienne" in saint_etienne[5:]  # word match after prefix matches
    assert "L'Hôpital" in _names("l hopital")


def test_search_ranks_by_level_then_population():
    marne = v.search_territories("marne")
    assert marne[0].key == "departement:51"
    communes = [t for t in v.search_territories("saint", 200) if t.level == "commune"]
    populations = [t.population for t in communes]
    assert populations == sorted(populations, reverse=True)


def test_search_by_code_and_limits():
    assert v.search_territories("67")[0].key == "departement:67"
    assert v.search_territories("67482")[0].key == STRASBOURG
    assert len(v.search_territories("a", limit=5)) == 5
    assert v.search_territories("  ") == []
    assert v.search_territories("zzzz") == []


# -- themes and frequencies -------------------------------------------------------------


def test_themes_have_three_languages():
    themes = v.themes()
    assert set(themes) == {
        "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL",
        "INTR", "JUST", "OP_DATPRO", "REGI", "SOCI", "TECH", "TRAN",
    }
    for code, theme in themes.items():
        assert theme["uri"] == f"http://publications.europa.eu/resource/authority/data-theme/{code}"
        assert set(theme["labels"]) == {"fr", "en", "de"}
        assert all(theme["labels"].values())
    assert themes["AGRI"]["labels"] == {
        "fr": "Agriculture, pêche, sylviculture et alimentation",
        "en": "Agriculture, fisheries, forestry and food",
        "de": "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel",
    }
    assert themes["TRAN"]["labels"]["de"] == "Verkehr"


def test_theme_from_uri():
    assert v.theme_from_uri("http://publications.europa.eu/resource/authority/data-theme/ENVI") \
        == "ENVI"
    assert v.theme_from_uri("https://publications.europa.eu/resource/authority/data-theme/REGI/") \
        == "REGI"
    assert v.theme_from_uri("http://publications.europa.eu/resource/authority/data-theme/XXX") \
        is None


REQUIRED_FREQUENCIES = {
    "CONT", "UPDATE_CONT", "HOURLY", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY", "BIMONTHLY",
    "QUARTERLY", "ANNUAL_3", "ANNUAL_2", "ANNUAL", "BIENNIAL", "TRIENNIAL", "IRREG", "NEVER",
    "OTHER", "UNKNOWN",
}


def test_frequencies_table():
    table = v.frequencies()
    assert set(table) >= REQUIRED_FREQUENCIES
    for code, entry in table.items():
        assert entry["uri"] == f"http://publications.europa.eu/resource/authority/frequency/{code}"
        assert set(entry["labels"]) == {"fr", "en", "de"}
    assert table["ANNUAL"]["labels"] == {"fr": "annuel", "en": "annual", "de": "jährlich"}
    assert v.frequency_from_uri(table["MONTHLY"]["uri"]) == "MONTHLY"
    assert v.frequency_from_uri("http://example.org/MONTHLY") is None


def test_frequency_labels_do_not_collide():
    seen: dict[str, str] = {}
    for code, entry in v.frequencies().items():
        for label in entry["labels"].values():
            folded = label.casefold()
            assert seen.setdefault(folded, code) == code, label


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Annuelle", "ANNUAL"),
        ("Mensuelle", "MONTHLY"),
        ("Journalière", "DAILY"),
        ("journaliere", "DAILY"),
        ("Quotidienne", "DAILY"),
        ("Hebdomadaire", "WEEKLY"),
        ("Trimestrielle", "QUARTERLY"),
        ("Semestrielle", "ANNUAL_2"),
        ("Temps réel", "UPDATE_CONT"),
        ("Ponctuelle", "NEVER"),
        ("Irrégulière", "IRREG"),
        ("Aucune", "NEVER"),
        ("Bimensuelle", "BIWEEKLY"),
        ("Bimestrielle", "BIMONTHLY"),
        ("  annual ", "ANNUAL"),
        ("Monthly", "MONTHLY"),
        ("daily", "DAILY"),
        ("annuel", "ANNUAL"),  # EU French label
        ("update_cont", "UPDATE_CONT"),  # code
        ("R/P1W", "WEEKLY"),
        ("http://publications.europa.eu/resource/authority/frequency/QUARTERLY", "QUARTERLY"),
        ("http://purl.org/cld/freq/irregular", "IRREG"),
        ("http://standards.iso.org/iso/19115/resources/Codelists/cat/codelists.xml#asNeeded",
         "AS_NEEDED"),
    ],
)
def test_frequency_for_text(text, code):
    assert v.frequency_for_text(text) == code


@pytest.mark.parametrize("text", [None, "", "   ", "de temps en temps", "http://example.org/x"])
def test_frequency_for_unknown_text(text):
    assert v.frequency_for_text(text) is None


def test_frequency_aliases_point_to_known_codes():
    aliases = yaml.safe_load((v.HERE / "frequency_aliases.yaml").read_text("utf-8"))["aliases"]
    assert set(aliases.values()) <= set(v.frequencies())


# -- licences ---------------------------------------------------------------------------

LICENCE_IDS = {
    "lov2", "fr-lo", "odc-odbl", "odc-by", "odc-pddl", "cc-by", "cc-by-sa", "cc-zero",
    "other-open", "other-at", "other-pd", "notspecified",
}


def test_licences_file_is_a_ckan_licences_file():
    licences = v.licences()
    assert set(licences) == LICENCE_IDS
    for licence in licences.values():
        assert {"id", "title", "url", "uri", "od_conformance", "osd_conformance", "status",
                "domain_content", "domain_data", "domain_software"} <= set(licence)
        assert licence["status"] == "active"
        assert all(isinstance(licence[key], bool)
                   for key in ("domain_content", "domain_data", "domain_software"))
    assert licences["lov2"]["title"] == "Licence Ouverte / Open Licence version 2.0"
    assert licences["lov2"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert licences["odc-odbl"]["uri"] == "http://opendatacommons.org/licenses/odbl/1-0/"
    assert licences["cc-by"]["uri"] == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize(
    ("text", "licence_id"),
    [
        ("Licence Ouverte (Etalab)", "lov2"),
        ("Licence ouverte / Open Licence", "lov2"),
        ("Licence Ouverte v2.0", "lov2"),
        ("Licence Ouverte v2.0 (Etalab)", "lov2"),
        ("Licence Ouverte Version 2.0", "lov2"),
        ("etalab-2.0", "lov2"),
        ("Licence Ouverte / Open Licence version 2.0", "lov2"),  # the title
        ("Licence ouverte Alsace", "lov2"),
        ("LICENCE OUVERTE 1.0", "fr-lo"),
        ("Open Database License (ODbL)", "odc-odbl"),
        ("ODbL", "odc-odbl"),
        ("CC-BY 4.0", "cc-by"),
        ("CC BY 4.0", "cc-by"),
        ("Creative Commons Attribution", "cc-by"),
        ("CC0", "cc-zero"),
        ("Licence Libre", "other-open"),
        ("License not specified", "notspecified"),
        ("Licence non specifiee", "notspecified"),
        ("odc-pddl", "odc-pddl"),  # an id
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "lov2"),
        ("https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
         "lov2"),
        ("http://www.etalab.gouv.fr/pages/Licence_ouverte_Open_licence-5899923.html", "fr-lo"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
        ("http://creativecommons.org/licenses/by-sa/4.0", "cc-by-sa"),
    ],
)
def test_licence_for_text(text, licence_id):
    assert v.licence_for_text(text) == licence_id


@pytest.mark.parametrize(
    "text", [None, "", "Open Government Licence v3.0", "https://example.org/licence"]
)
def test_licence_for_unknown_text(text):
    assert v.licence_for_text(text) is None


def test_licence_aliases_point_to_known_ids():
    aliases = yaml.safe_load((v.HERE / "licence_aliases.yaml").read_text("utf-8"))["aliases"]
    assert len(aliases) >= 25
    assert set(aliases.values()) <= LICENCE_IDS
