"""An Opendatasoft Explore API v2.1 portal (Eurométropole de Strasbourg-like), generated.

Dataset objects have the shape of ``../shared/corpus/opendatasoft/v2.1-*.json`` and of
``../shared/docs/partner-sources.md``: ``dataset_id``, ``dataset_uid`` (``da_…``, never
changes), ``has_records``, ``visibility``, ``data_visible``, ``features``, ``fields``,
``attachments``, ``alternative_exports``, ``metas.default`` and (most of the time)
``metas.dcat``. Deterministic: a seeded ``random.Random``, no clock.

Generation and changes between two harvests::

    datasets = generate_catalogue(1200, seed=7)
    datasets = with_renamed_dataset(datasets, datasets[5]["dataset_id"])  # same uid

Serving: ``opendatasoft_routes(datasets)`` — the routes read ``datasets`` at each request
(replace its content in place to change the portal: ``datasets[:] = …``).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ckanext.grandest_harvesters.peers.server import PeerRequest, Response, Route

__all__ = [
    "API_PREFIX",
    "DATASET_EXPORT_FORMATS",
    "generate_catalogue",
    "opendatasoft_routes",
    "with_duplicate_dataset",
    "with_renamed_dataset",
    "with_untitled_dataset",
    "without_dataset",
]

API_PREFIX = "/api/explore/v2.1"
DEFAULT_SEED = 67482
MAX_LIMIT = 100  # the real API refuses more without group_by
MAX_WINDOW = 10000  # offset + limit must stay below this

THEMES: dict[str, tuple[str, ...]] = {
    "Administration, Gouvernement, Finances publiques, Citoyenneté": (
        "Budget primitif {de_place} {year}", "Délibérations du conseil municipal {de_place}",
        "Subventions aux associations {de_place} ({year})", "Bureaux de vote {de_place}",
        "Marchés publics attribués en {year}"),
    "Aménagement du territoire, Urbanisme, Bâtiments, Equipements, Logement": (
        "Permis de construire {de_place} ({year})", "Plan local d'urbanisme intercommunal",
        "Logements sociaux {de_place}", "Équipements publics {de_place}",
        "Adresses et voies {de_place}"),
    "Culture, Patrimoine": (
        "Médiathèques {de_place} : fréquentation {year}", "Monuments historiques {de_place}",
        "Programme culturel {de_place} — saison {year}", "Œuvres d'art dans l'espace public"),
    "Economie, Business, PME, Développement économique, Emploi": (
        "Établissements économiques {de_place}", "Marchés de plein air {de_place}",
        "Zones d'activités {de_place}", "Commerces de proximité {de_place} ({year})"),
    "Education, Formation, Recherche, Enseignement": (
        "Écoles maternelles et élémentaires {de_place}", "Effectifs scolaires {year}",
        "Restauration scolaire {de_place} : menus {year}", "Périscolaire {de_place}"),
    "Environnement": (
        "Qualité de l'air {de_place} — mesures horaires {year}", "Arbres d'alignement {de_place}",
        "Points d'apport volontaire {de_place}", "Collecte des déchets {de_place} ({year})",
        "Îlots de chaleur urbains {de_place}"),
    "Transports, Déplacements": (
        "Disponibilité des vélos en libre-service {de_place}", "Comptages vélos {year}",
        "Parkings relais {de_place} : occupation en temps réel", "Arrêts de tram et de bus",
        "Chantiers et perturbations de circulation {de_place}"),
    "Santé": (
        "Défibrillateurs {de_place}", "Centres de santé {de_place}",
        "Campagnes de vaccination {year}"),
    "Sports, Loisirs": (
        "Équipements sportifs {de_place}", "Fréquentation des piscines {de_place} ({year})",
        "Aires de jeux {de_place}"),
    "Services, Social": (
        "Centres médico-sociaux {de_place}", "Aides sociales versées en {year}",
        "Permanences d'accès aux droits {de_place}"),
    "Hébergement, industrie hôtelière": (
        "Hôtels et meublés de tourisme {de_place}", "Taxe de séjour {year}"),
    "Energie": (
        "Consommation énergétique des bâtiments {de_place} ({year})",
        "Bornes de recharge pour véhicules électriques {de_place}",
        "Production photovoltaïque {year}"),
}

# Commune -> INSEE code.
PLACES: dict[str, str] = {
    "Strasbourg": "67482", "Schiltigheim": "67447", "Illkirch-Graffenstaden": "67218",
    "Lingolsheim": "67267", "Bischheim": "67043", "Ostwald": "67365", "Hœnheim": "67204",
    "Eckbolsheim": "67118", "Geispolsheim": "67152", "Vendenheim": "67506",
    "Mulhouse": "68224", "Illzach": "68154", "Riedisheim": "68278", "Rixheim": "68279",
    "Wittenheim": "68376", "Kingersheim": "68166", "Colmar": "68066",
}

PUBLISHERS: tuple[tuple[str | None, str, int], ...] = (
    # publisher, contact e-mail domain, weight
    ("Ville et Eurométropole de Strasbourg", "strasbourg.eu", 40),
    ("Eurométropole de Strasbourg", "strasbourg.eu", 15),
    ("Ville de Mulhouse", "mulhouse.fr", 10),
    ("Mulhouse Alsace Agglomération", "mulhouse-alsace.fr", 8),
    ("Compagnie des Transports Strasbourgeois (CTS)", "cts-strasbourg.eu", 6),
    ("ATMO Grand Est", "atmo-grandest.eu", 6),
    ("Région Grand Est", "grandest.fr", 5),
    ("SDEA Alsace-Moselle", "sdea.fr", 4),
    (None, "strasbourg.eu", 3),
)

LICENCES: tuple[tuple[str | None, str | None, int], ...] = (
    ("Licence Ouverte (Etalab)", "https://www.etalab.gouv.fr/licence-ouverte-open-licence", 35),
    ("Licence ouverte / Open Licence", "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
     20),
    ("Licence Ouverte v2.0 (Etalab)",
     "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf", 15),
    ("Open Database License (ODbL)", "https://opendatacommons.org/licenses/odbl/", 18),
    ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/", 5),
    ("Licence spécifique de réutilisation", None, 4),
    (None, None, 3),
)

FREQUENCIES: tuple[tuple[str, int], ...] = (
    ("http://publications.europa.eu/resource/authority/frequency/ANNUAL", 30),
    ("http://publications.europa.eu/resource/authority/frequency/MONTHLY", 12),
    ("http://publications.europa.eu/resource/authority/frequency/DAILY", 10),
    ("http://publications.europa.eu/resource/authority/frequency/WEEKLY", 6),
    ("http://publications.europa.eu/resource/authority/frequency/CONT", 8),
    ("http://publications.europa.eu/resource/authority/frequency/IRREG", 14),
    ("Annuelle", 3),  # free text, as some producers typed it
    ("", 2),
)

FIELD_POOL: tuple[tuple[str, str, str], ...] = (
    ("nom", "Nom", "text"), ("adresse", "Adresse", "text"), ("commune", "Commune", "text"),
    ("code_insee", "Code INSEE", "text"), ("categorie", "Catégorie", "text"),
    ("annee", "Année", "int"), ("nombre", "Nombre", "int"), ("valeur", "Valeur", "double"),
    ("montant", "Montant (€)", "double"), ("date_maj", "Date de mise à jour", "date"),
    ("horodatage", "Horodatage", "datetime"), ("url", "Site web", "text"),
)
GEO_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("geo_point_2d", "Géolocalisation", "geo_point_2d"),
    ("geo_shape", "Forme géographique", "geo_shape"),
)

GEO_EXPORTS = ("geojson", "shp", "kml", "gpx", "fgb")
DATASET_EXPORT_FORMATS = ("csv", "json", "jsonl", "xlsx", "parquet", *GEO_EXPORTS)


def _slug(text: str, sep: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", sep, ascii_text).strip(sep)[:60].rstrip(sep)


def _de(place: str) -> str:
    return f"d'{place}" if place[0] in "AEIOUÉÈaeiou" else f"de {place}"


def _iso(moment: datetime, micro: bool = False) -> str:
    if micro:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"


def _uid(rng: random.Random, seen: set[str]) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    while True:
        uid = "da_" + "".join(rng.choice(alphabet) for _ in range(6))
        if uid not in seen:
            seen.add(uid)
            return uid


def _description(rng: random.Random, theme: str, place: str, publisher: str | None) -> str:
    who = publisher or "la collectivité"
    topic = theme.split(",", maxsplit=1)[0].lower()
    parts = [f"<p>Ce jeu de données présente les données « {topic} » {_de(place)}.</p>"]
    if rng.random() < 0.6:
        parts.append(f"<p>Producteur&nbsp;: <strong>{who}</strong>. Les données sont "
                     "actualisées automatiquement.</p>")
    if rng.random() < 0.4:
        parts.append("<ul><li>Projection&nbsp;: WGS 84</li><li>Voir aussi "
                     '<a href="https://www.strasbourg.eu/">strasbourg.eu</a></li></ul>')
    if rng.random() < 0.1:
        return ""
    return "".join(parts)


def _dataset_id(rng: random.Random, title: str, seen: set[str]) -> str:
    style = rng.random()
    if style < 0.7:
        base = _slug(title, "-")
    elif style < 0.9:
        base = _slug(title, "_")
    else:  # some portals prefix ids with the producer's SIREN
        base = rng.choice(("246700488", "216704825", "200066009")) + "_" + _slug(title, "_")
    dataset_id, k = base, 2
    while dataset_id in seen:
        dataset_id, k = f"{base}{'-' if '-' in base else '_'}{k}", k + 1
    seen.add(dataset_id)
    return dataset_id


def _structure(rng: random.Random, place: str) -> dict[str, Any]:
    """``has_records``, ``features``, ``fields`` and ``attachments`` of one dataset."""
    geo = rng.random() < 0.45
    has_records = rng.random() < 0.95
    features = (["analyze"] if has_records else []) + (["geo"] if geo and has_records else [])
    if has_records and rng.random() < 0.25:
        features.append("timeserie")
    fields = [
        {"name": name, "label": label, "type": ftype,
         "description": None if rng.random() < 0.7 else f"{label} ({place})",
         "annotations": {}}
        for name, label, ftype in rng.sample(FIELD_POOL, k=rng.randint(3, 7))
    ]
    if "geo" in features:
        fields += [{"name": name, "label": label, "type": ftype, "description": None,
                    "annotations": {}}
                   for name, label, ftype in GEO_FIELDS[: rng.randint(1, 2)]]
    attachments = []
    if rng.random() < 0.2:
        attachments.append({"id": "documentation_pdf", "mimetype": "application/pdf",
                            "title": "Documentation", "url": "odsfile://documentation.pdf"})
    if rng.random() < 0.08:
        attachments.append({"id": "donnees_brutes_zip", "mimetype": "application/zip",
                            "title": "Données brutes", "url": "odsfile://donnees_brutes.zip"})
    return {"has_records": has_records, "features": features,
            "fields": fields if has_records else [], "attachments": attachments}


def _territory(rng: random.Random, place: str) -> tuple[list[str], list[str]]:
    """``territory`` labels and ``geographic_reference`` codes (commune, département or
    région, on the model of Opendatasoft's ``fr_<level>_<code>`` references)."""
    roll = rng.random()
    if roll < 0.5:
        return [place], [f"fr_40_{PLACES[place]}"]
    if roll < 0.8:
        dep = PLACES[place][:2]
        return ["Bas-Rhin" if dep == "67" else "Haut-Rhin"], [f"fr_60_{dep}"]
    return ["Grand Est"], ["fr_80_44"]


def _default_metas(rng: random.Random, *, title: str, theme: str, place: str, year: int,
                   publisher: str | None, has_records: bool,
                   modified: datetime) -> dict[str, Any]:
    licence, licence_url, _ = rng.choices(LICENCES, weights=[x[2] for x in LICENCES])[0]
    data_processed = modified - timedelta(minutes=rng.randint(0, 90))
    metadata_processed = modified + timedelta(seconds=rng.randint(1, 30),
                                              microseconds=rng.randint(0, 999) * 1000)
    keywords = rng.sample(("open data", "Strasbourg", "Eurométropole", "Mulhouse",
                           place, theme.split(",", maxsplit=1)[0], str(year), "temps réel"),
                          k=rng.randint(1, 4))
    territory, georef = _territory(rng, place)
    return {
        "title": title,
        "description": _description(rng, theme, place, publisher),
        "theme": [theme] if rng.random() < 0.93 else None,
        "keyword": list(dict.fromkeys(keywords)) if rng.random() < 0.9 else None,
        "license": licence,
        "license_url": licence_url,
        "language": "fr",
        "metadata_languages": ["fr"],
        "timezone": "Europe/Paris" if rng.random() < 0.5 else None,
        "modified": _iso(modified),
        "modified_updates_on_metadata_change": False,
        "modified_updates_on_data_change": True,
        "data_processed": _iso(data_processed) if has_records else None,
        "metadata_processed": _iso(metadata_processed, micro=True),
        "publisher": publisher,
        "references": "https://www.strasbourg.eu/" if rng.random() < 0.3 else None,
        "records_count": rng.randint(1, 250000) if has_records else 0,
        "territory": territory,
        "geographic_reference": georef,
        "geographic_reference_auto": rng.random() < 0.5,
        "geographic_area_mode": None,
        "geographic_area": None,
        "attributions": None,
        "federated": False,
        "source_domain": None,
        "source_domain_address": None,
        "source_domain_title": None,
        "source_dataset": None,
        "shared_catalog": None,
        "oauth_scope": None,
        "parent_domain": None,
    }


def _dcat_metas(rng: random.Random, *, publisher: str | None, mail_domain: str,
                created: datetime, spatial: str, year: int) -> dict[str, Any]:
    return {
        "created": _iso(created),
        "issued": _iso(created + timedelta(days=rng.randint(0, 30))),
        "creator": publisher,
        "contributor": rng.choice((None, "Direction du numérique")),
        "contact_name": rng.choice(("Service open data", "Mission données", "Service SIG")),
        "contact_email": f"opendata@{mail_domain}" if rng.random() < 0.9 else None,
        "accrualperiodicity": rng.choices(
            FREQUENCIES, weights=[f[1] for f in FREQUENCIES])[0][0] or None,
        "spatial": spatial,
        "temporal": f"{year}-01-01/{year}-12-31" if rng.random() < 0.6 else None,
        "granularity": rng.choice(("commune", "IRIS", "adresse", None)),
        "dataquality": None,
    }


def generate_catalogue(n: int = 1200, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` Explore v2.1 dataset objects, the same for the same arguments; ``dataset_id``
    and ``dataset_uid`` are unique."""
    rng = random.Random(seed)
    seen_ids: set[str] = set()
    seen_uids: set[str] = set()
    epoch = datetime(2016, 1, 4, 7, 0, 0)
    datasets = []
    for _ in range(n):
        theme = rng.choice(list(THEMES))
        place = rng.choice(list(PLACES))
        year = rng.randint(2015, 2024)
        title = rng.choice(THEMES[theme]).format(de_place=_de(place), year=year)
        if place not in title and rng.random() < 0.5:
            title = f"{title} — {place}"
        dataset_id = _dataset_id(rng, title, seen_ids)
        structure = _structure(rng, place)
        publisher, mail_domain, _ = rng.choices(
            PUBLISHERS, weights=[p[2] for p in PUBLISHERS])[0]
        created = epoch + timedelta(minutes=rng.randint(0, 7 * 365 * 24 * 60))
        modified = created + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        metas: dict[str, Any] = {"default": _default_metas(
            rng, title=title, theme=theme, place=place, year=year, publisher=publisher,
            has_records=structure["has_records"], modified=modified)}
        if rng.random() < 0.8:
            metas["dcat"] = _dcat_metas(
                rng, publisher=publisher, mail_domain=mail_domain, created=created,
                spatial=metas["default"]["territory"][0], year=year)
        datasets.append({
            "visibility": "restricted" if rng.random() < 0.01 else "domain",
            "dataset_id": dataset_id,
            "dataset_uid": _uid(rng, seen_uids),
            "has_records": structure["has_records"],
            "data_visible": True,
            "features": structure["features"],
            "attachments": structure["attachments"],
            "alternative_exports": [],
            "fields": structure["fields"],
            "metas": metas,
        })
    return datasets


# --------------------------------------------------------------------------------------
# Changes between two harvests


def _index_of(datasets: Sequence[dict[str, Any]], dataset_id: str) -> int:
    for i, dataset in enumerate(datasets):
        if dataset["dataset_id"] == dataset_id:
            return i
    raise KeyError(dataset_id)


def with_renamed_dataset(
    datasets: Sequence[dict[str, Any]], dataset_id: str, new_id: str | None = None
) -> list[dict[str, Any]]:
    """A copy where ``dataset_id`` is renamed (``new_id``, default ``{dataset_id}-renomme``)
    at the same position, ``dataset_uid`` and everything else unchanged."""
    i = _index_of(datasets, dataset_id)
    new_id = new_id or f"{dataset_id}-renomme"
    if any(d["dataset_id"] == new_id for d in datasets):
        raise ValueError(f"{new_id} already exists")
    renamed = copy.deepcopy(datasets[i])
    renamed["dataset_id"] = new_id
    return [*datasets[:i], renamed, *datasets[i + 1:]]


def without_dataset(datasets: Sequence[dict[str, Any]], dataset_id: str) -> list[dict[str, Any]]:
    """A copy without ``dataset_id`` (deleted at the source)."""
    i = _index_of(datasets, dataset_id)
    return [*datasets[:i], *datasets[i + 1:]]


def with_duplicate_dataset(
    datasets: Sequence[dict[str, Any]], dataset_id: str
) -> list[dict[str, Any]]:
    """A copy where ``dataset_id`` appears twice in a row (same page, same ids)."""
    i = _index_of(datasets, dataset_id)
    return [*datasets[: i + 1], copy.deepcopy(datasets[i]), *datasets[i + 1:]]


def with_untitled_dataset(
    datasets: Sequence[dict[str, Any]], dataset_id: str
) -> list[dict[str, Any]]:
    """A copy where ``dataset_id`` has ``metas.default.title`` set to null."""
    i = _index_of(datasets, dataset_id)
    untitled = copy.deepcopy(datasets[i])
    untitled["metas"]["default"]["title"] = None
    return [*datasets[:i], untitled, *datasets[i + 1:]]


# --------------------------------------------------------------------------------------
# Filters: refine=<facet>:<value> and a small subset of ODSQL for where=


class _QueryError(ValueError):
    pass


_LIST_FIELDS = {"theme", "keyword", "territory", "geographic_reference", "features"}
_CONDITION = re.compile(
    r"""^\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>=|!=|<>|<=|>=|<|>)\s*
        (?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<num>-?\d+(?:\.\d+)?)|(?P<bool>true|false))\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_FULLTEXT = re.compile(r"""^\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*$""")


def _field(dataset: dict[str, Any], name: str) -> Any:
    name = name.removeprefix("default.")
    if name in ("dataset_id", "dataset_uid", "has_records", "visibility", "features"):
        return dataset.get(name)
    if name.startswith("dcat."):
        return (dataset["metas"].get("dcat") or {}).get(name[5:])
    return dataset["metas"]["default"].get(name)


def _compare(value: Any, op: str, literal: Any) -> bool:
    if isinstance(value, list):
        hit = any(_compare(v, "=", literal) for v in value)
        return hit if op == "=" else (not hit if op in ("!=", "<>") else False)
    if value is None:
        return op in ("!=", "<>")
    if isinstance(literal, str) and not isinstance(value, str):
        value = str(value).lower() if isinstance(value, bool) else str(value)
    try:
        return {
            "=": value == literal, "!=": value != literal, "<>": value != literal,
            "<": value < literal, "<=": value <= literal,
            ">": value > literal, ">=": value >= literal,
        }[op]
    except TypeError:
        return False


def _where_predicate(where: str) -> Callable[[dict[str, Any]], bool]:
    tests: list[Callable[[dict[str, Any]], bool]] = []
    for clause in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
        found = _CONDITION.match(clause)
        if found:
            field, op = found["field"], found["op"]
            if found["num"] is not None:
                literal: Any = float(found["num"]) if "." in found["num"] else int(found["num"])
            elif found["bool"] is not None:
                literal = found["bool"].lower() == "true"
            else:
                literal = found["dq"] if found["dq"] is not None else found["sq"]
            tests.append(lambda d, f=field, o=op, v=literal: _compare(_field(d, f), o, v))
            continue
        text = _FULLTEXT.match(clause)
        if text:
            needle = (text["dq"] if text["dq"] is not None else text["sq"]).lower()
            tests.append(lambda d, s=needle: s in json.dumps(
                d["metas"]["default"], ensure_ascii=False).lower())
            continue
        raise _QueryError(f"ODSQL query is malformed: {clause.strip()!r} "
                          "(this fixture knows field <op> literal, \"text\" and AND)")
    return lambda d: all(t(d) for t in tests)


def _refine_predicate(refines: list[str]) -> Callable[[dict[str, Any]], bool]:
    tests = []
    for refine in refines:
        facet, sep, value = refine.partition(":")
        if not sep or not facet:
            raise _QueryError(f"Invalid refine {refine!r}: <facet>:<value> expected")

        def test(d: dict[str, Any], f: str = facet, v: str = value) -> bool:
            got = _field(d, f)
            if f in ("modified", "data_processed", "metadata_processed") and isinstance(got, str):
                return got.startswith(v.replace("/", "-"))
            if isinstance(got, list):
                return v in got
            return str(got) == v if got is not None else False

        tests.append(test)
    return lambda d: all(t(d) for t in tests)


def _filtered(datasets: Sequence[dict[str, Any]], request: PeerRequest) -> list[dict[str, Any]]:
    selected = list(datasets)
    where = request.arg("where")
    if where:
        predicate = _where_predicate(where)
        selected = [d for d in selected if predicate(d)]
    refines = request.query.get("refine") or []
    if refines:
        predicate = _refine_predicate(refines)
        selected = [d for d in selected if predicate(d)]
    return selected


# --------------------------------------------------------------------------------------
# Records and exports of one dataset (small bodies)


def _value(rng: random.Random, field: dict[str, Any], n: int, place: str) -> Any:
    ftype = field["type"]
    if ftype in ("geo_point_2d", "geo_shape"):
        lon, lat = round(rng.uniform(7.55, 7.95), 5), round(rng.uniform(48.45, 48.7), 5)
        if ftype == "geo_point_2d":
            return {"lon": lon, "lat": lat}
        return {"type": "Feature", "properties": {},
                "geometry": {"type": "Point", "coordinates": [lon, lat]}}
    if ftype == "int":
        return rng.randint(0, 5000)
    if ftype == "double":
        return round(rng.uniform(0, 10000), 2)
    if ftype in ("date", "datetime"):
        day = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return day if ftype == "date" else f"{day}T08:00:00+00:00"
    return f"{field['label']} {n + 1} — {place}"


def _records(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    if not dataset["has_records"]:
        return []
    rng = random.Random(dataset["dataset_uid"])
    count = min(dataset["metas"]["default"].get("records_count") or 0, rng.randint(3, 8))
    places = list(PLACES)
    rows = []
    for n in range(count):
        place = rng.choice(places)
        rows.append({f["name"]: _value(rng, f, n, place) for f in dataset["fields"]})
    return rows


def _flat(value: Any) -> Any:
    if isinstance(value, dict) and "lat" in value:
        return f"{value['lat']}, {value['lon']}"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return out.getvalue()


def _csv_export(dataset: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    out = io.StringIO()
    names = [f["name"] for f in dataset["fields"]]
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([[_flat(r.get(n)) for n in names] for r in rows])
    return "text/csv; charset=utf-8", out.getvalue().encode("utf-8")


def _jsonl_export(_dataset: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return "application/jsonl; charset=utf-8", text.encode()


def _geojson_export(dataset: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    point = next((f["name"] for f in dataset["fields"] if f["type"] == "geo_point_2d"), None)
    features = [{
        "type": "Feature",
        "geometry": ({"type": "Point", "coordinates": [r[point]["lon"], r[point]["lat"]]}
                     if point else None),
        "properties": {k: v for k, v in r.items() if not isinstance(v, dict)},
    } for r in rows]
    body = {"type": "FeatureCollection", "features": features}
    return "application/geo+json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode()


def _shp_export(dataset: dict[str, Any], _rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    # Placeholder members with the right names, not a readable shapefile.
    name = dataset["dataset_id"]
    prj = b'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]]]'
    return "application/zip", _zip({f"{name}.shp": b"", f"{name}.shx": b"",
                                    f"{name}.dbf": b"", f"{name}.prj": prj})


_XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# format -> (dataset, rows) -> (content type, body); small bodies, some placeholders
_EXPORTS: dict[str, Callable[[dict[str, Any], list[dict[str, Any]]], tuple[str, bytes]]] = {
    "csv": _csv_export,
    "json": lambda _d, rows: ("application/json; charset=utf-8",
                              json.dumps(rows, ensure_ascii=False).encode()),
    "jsonl": _jsonl_export,
    "geojson": _geojson_export,
    "shp": _shp_export,
    "kml": lambda _d, _r: ("application/vnd.google-earth.kml+xml", _XML_HEAD
                           + b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>\n'),
    "gpx": lambda _d, _r: ("application/gpx+xml", _XML_HEAD + b'<gpx version="1.1" '
                           b'creator="peer" xmlns="http://www.topografix.com/GPX/1/1"/>\n'),
    "fgb": lambda _d, _r: ("application/octet-stream", b"fgb\x03fgb\x00" + b"\x00" * 8),
    "xlsx": lambda _d, _r: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            _zip({"[Content_Types].xml": b"<Types/>"})),
    "parquet": lambda _d, _r: ("application/vnd.apache.parquet", b"PAR1" + b"\x00" * 8 + b"PAR1"),
}


def _export(dataset: dict[str, Any], fmt: str) -> tuple[str, bytes]:
    return _EXPORTS[fmt](dataset, _records(dataset))


# --------------------------------------------------------------------------------------
# Routes


def _json(payload: Any, status: int = 200) -> Response:
    return (status, {"Content-Type": "application/json; charset=utf-8"},
            json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _error(status: int, error_code: str, message: str) -> Response:
    return _json({"error_code": error_code, "message": message}, status)


def _int_param(request: PeerRequest, name: str, default: int, low: int,
               high: int | None) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _QueryError(f"Invalid value for {name} API parameter: {raw!r} is not an "
                          "integer.") from None
    if value < low or (high is not None and value > high):
        bounds = f"{low} <= {name}" + (f" <= {high}" if high is not None else "")
        raise _QueryError(f"Invalid value for {name} API parameter: {value} was found but "
                          f"{bounds} is expected.")
    return value


def opendatasoft_routes(datasets: list[dict[str, Any]]) -> list[Route]:
    """Explore v2.1 routes for ``datasets`` (paths start with ``/api/explore/v2.1``):

    - ``catalog/datasets?limit=&offset=&where=&refine=`` — ``{"total_count", "results"}``;
      ``limit`` defaults to 10 and above 100 answers 400 like the real API, as does
      ``offset + limit > 10000``;
    - ``catalog/datasets/{id}`` (404 if unknown);
    - ``catalog/exports/json`` — the whole (filtered) catalogue, no page cap;
    - ``catalog/datasets/{id}/exports/{fmt}`` — small bodies (``DATASET_EXPORT_FORMATS``;
      geo formats only for datasets with the ``geo`` feature);
    - ``catalog/datasets/{id}/attachments`` and ``…/attachments/{attachment_id}``.
    """

    def find(dataset_id: str) -> dict[str, Any] | None:
        return next((d for d in datasets if d["dataset_id"] == dataset_id), None)

    def listing(request: PeerRequest) -> Response:
        try:
            limit = _int_param(request, "limit", 10, -1, MAX_LIMIT)
            offset = _int_param(request, "offset", 0, 0, None)
            if limit == -1:
                limit = MAX_LIMIT
            if offset + limit > MAX_WINDOW:
                raise _QueryError(f"Invalid value for offset API parameter: offset + limit "
                                  f"({offset + limit}) should be less than {MAX_WINDOW}. Use "
                                  "the exports endpoint to retrieve more results.")
            selected = _filtered(datasets, request)
        except _QueryError as e:
            return _error(400, "InvalidRESTParameterError" if "API parameter" in str(e)
                          else "ODSQLError", str(e))
        return _json({"total_count": len(selected), "results": selected[offset:offset + limit]})

    def export_catalogue(request: PeerRequest) -> Response:
        fmt = request.params["fmt"]
        if fmt != "json":
            return _error(400, "InvalidRESTParameterError",
                          f"Export format {fmt!r} is not served by this fixture (json only).")
        try:
            limit = _int_param(request, "limit", -1, -1, None)
            offset = _int_param(request, "offset", 0, 0, None)
            selected = _filtered(datasets, request)
        except _QueryError as e:
            return _error(400, "ODSQLError", str(e))
        selected = selected[offset:] if limit == -1 else selected[offset:offset + limit]
        return _json(selected)

    def one(request: PeerRequest) -> Response:
        dataset = find(request.params["id"])
        if dataset is None:
            return _error(404, "NotFound", f"Unknown dataset: {request.params['id']}")
        return _json(dataset)

    def export_dataset(request: PeerRequest) -> Response:
        dataset = find(request.params["id"])
        if dataset is None:
            return _error(404, "NotFound", f"Unknown dataset: {request.params['id']}")
        fmt = request.params["fmt"]
        if fmt not in DATASET_EXPORT_FORMATS:
            return _error(400, "InvalidRESTParameterError", f"Unknown export format: {fmt}")
        if fmt in GEO_EXPORTS and "geo" not in dataset["features"]:
            return _error(400, "InvalidRESTParameterError",
                          f"Export format {fmt} needs a dataset with geographical data.")
        content_type, body = _export(dataset, fmt)
        return 200, {"Content-Type": content_type,
                     "Content-Disposition": f'attachment; filename="{dataset["dataset_id"]}.'
                                            f'{"zip" if fmt == "shp" else fmt}"'}, body

    def attachments(request: PeerRequest) -> Response:
        dataset = find(request.params["id"])
        if dataset is None:
            return _error(404, "NotFound", f"Unknown dataset: {request.params['id']}")
        wanted = request.params.get("attachment")
        if wanted is None:
            base = f"{request.mount_url}{API_PREFIX}/catalog/datasets/{dataset['dataset_id']}"
            return _json({"links": [], "attachments": [
                {"href": f"{base}/attachments/{a['id']}",
                 "metas": {"mime-type": a["mimetype"], "title": a["title"]}}
                for a in dataset["attachments"]]})
        for attachment in dataset["attachments"]:
            if attachment["id"] == wanted:
                body = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n"
                        if attachment["mimetype"] == "application/pdf" else _zip({"LISEZMOI.txt":
                                                                                 b"Donnees"}))
                return 200, {"Content-Type": attachment["mimetype"]}, body
        return _error(404, "NotFound", f"Unknown attachment: {wanted}")

    ident = r"(?P<id>[^/]+)"
    catalog = re.escape(f"{API_PREFIX}/catalog")
    return [
        Route(f"{API_PREFIX}/catalog/datasets", listing),
        Route(rf"{catalog}/exports/(?P<fmt>[\w.]+)", export_catalogue, match="regex"),
        Route(rf"{catalog}/datasets/{ident}", one, match="regex"),
        Route(rf"{catalog}/datasets/{ident}/exports/(?P<fmt>\w+)", export_dataset,
              match="regex"),
        Route(rf"{catalog}/datasets/{ident}/attachments(?:/(?P<attachment>[^/]+))?",
              attachments, match="regex"),
    ]
