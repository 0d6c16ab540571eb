"""A partner CKAN portal (DataGrandEst-like) serving the CKAN 2.x action API, generated.

Dataset objects have the shape of ``package_show`` in ``../shared/corpus/ckan/`` (CKAN
2.x): ``id``, ``name``, ``title``, ``notes`` (Markdown, sometimes HTML), ``organization``,
``groups``, ``tags``, ``license_id``/``license_title``, ``author``/``maintainer`` and their
e-mails, ``metadata_created``/``metadata_modified``, ``private``, ``state``, ``extras``
(``key``/``value``: frequencies, EU themes, GeoJSON ``spatial``, INSEE ``spatial_uri``,
free keys, keys that clash with the regional schema, a remote harvester's bookkeeping)
and ``resources``. Deterministic: a seeded ``random.Random``, no clock.

Changes between two harvests::

    datasets = generate_catalogue(300, seed=7)
    datasets = without_dataset(datasets, name)           # deleted at the source
    datasets = with_private_dataset(datasets, name)      # turned private
    datasets = with_deleted_dataset(datasets, name)      # state "deleted"
    datasets = with_changed_dataset(datasets, name, title="…")
    datasets = with_new_views(datasets)                  # only the visit counters move

Serving: ``ckan_routes(datasets)`` answers like CKAN 2.10 to an anonymous client:
private and deleted datasets are neither listed nor shown. ``api_key`` makes the portal
accept that key (``Authorization`` header): private datasets are then shown, and listed
with ``include_private=true``. ``lists_hidden=True`` plays a CKAN-compatible API that
lists and shows everything, flags included (as the DKAN of the corpus does).
``flavour="dkan"`` serves DKAN's subset: no ``package_search``, ``package_show``'s result
is a list. Resource URLs point to the portal itself, which serves small files.
"""

from __future__ import annotations

import copy
import html
import json
import random
import re
import shlex
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from ckanext.grandest_harvesters.peers.server import PeerRequest, Response, Route, text_response

__all__ = [
    "API_PREFIX",
    "SITE",
    "ckan_routes",
    "generate_catalogue",
    "on_site",
    "with_changed_dataset",
    "with_deleted_dataset",
    "with_new_views",
    "with_private_dataset",
    "without_dataset",
]

API_PREFIX = "/api/3/action"
DEFAULT_SEED = 57463
ROWS_MAX = 1000  # CKAN's ckan.search.rows_max: larger values are cut down, not refused
SITE = "{site}"  # in stored URLs; replaced by the portal's URL when served

# Publishers of the portal: name, title, description, e-mail domain, weight. Some have
# the names of the demo's organisations (a harvest with remote_orgs reuses them).
ORGANISATIONS: tuple[tuple[str, str, str, str, int], ...] = (
    ("ville-de-metz", "Ville de Metz", "Les données de la Ville de Metz.", "mairie-metz.fr", 20),
    ("eurometropole-de-metz", "Eurométropole de Metz",
     "Données de la métropole messine : mobilité, déchets, urbanisme.", "eurometropolemetz.eu",
     15),
    ("ville-de-reims", "Ville de Reims", "", "reims.fr", 10),
    ("departement-de-la-moselle", "Département de la Moselle",
     "<p>Le <strong>Département</strong> publie ses données.</p>", "moselle.fr", 10),
    ("communaute-d-agglomeration-troyes-champagne-metropole",
     "Communauté d'agglomération Troyes Champagne Métropole", "", "troyes-cm.fr", 8),
    ("atmo-grand-est", "ATMO Grand Est", "Surveillance de la qualité de l'air.",
     "atmo-grandest.eu", 6),
    ("region-grand-est", "Région Grand Est", "", "grandest.fr", 5),
)

# Groups of the portal, with the themes their titles suggest.
GROUPS: tuple[tuple[str, str], ...] = (
    ("environnement", "Environnement"),
    ("transports-et-mobilite", "Transports et mobilité"),
    ("economie-et-emploi", "Économie et emploi"),
    ("culture-sport-loisirs", "Culture, sport et loisirs"),
    ("amenagement-urbanisme", "Aménagement et urbanisme"),
    ("citoyennete", "Citoyenneté"),
    ("sante-social", "Santé et social"),
)

TOPICS: dict[str, tuple[str, ...]] = {
    "environnement": (
        "Qualité de l'air {de_place} — mesures {year}", "Arbres remarquables {de_place}",
        "Points d'apport volontaire {de_place}", "Collecte des déchets {de_place} ({year})",
        "Espaces verts {de_place}"),
    "transports-et-mobilite": (
        "Stationnement vélo {de_place}", "Comptages routiers {year}",
        "Parkings relais {de_place}", "Arrêts de bus {de_place}",
        "Travaux de voirie {de_place} ({year})"),
    "economie-et-emploi": (
        "Marchés forains {de_place}", "Zones d'activités économiques {de_place}",
        "Subventions aux entreprises ({year})"),
    "culture-sport-loisirs": (
        "Équipements sportifs {de_place}", "Bibliothèques {de_place} : prêts {year}",
        "Monuments historiques {de_place}", "Agenda culturel {de_place} — saison {year}"),
    "amenagement-urbanisme": (
        "Permis de construire {de_place} ({year})", "Plan local d'urbanisme {de_place}",
        "Adresses {de_place}", "Cadastre solaire {de_place}"),
    "citoyennete": (
        "Budget primitif {de_place} {year}", "Bureaux de vote {de_place}",
        "Délibérations du conseil {de_place} ({year})"),
    "sante-social": (
        "Défibrillateurs {de_place}", "Centres médico-sociaux {de_place}",
        "Crèches et multi-accueils {de_place}"),
}

# Commune -> (INSEE code, bounding box west, south, east, north).
PLACES: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    "Metz": ("57463", (6.13, 49.06, 6.24, 49.15)),
    "Montigny-lès-Metz": ("57480", (6.13, 49.07, 6.17, 49.1)),
    "Woippy": ("57751", (6.1, 49.13, 6.17, 49.17)),
    "Reims": ("51454", (3.97, 49.2, 4.1, 49.3)),
    "Troyes": ("10387", (4.04, 48.27, 4.11, 48.32)),
    "Sarreguemines": ("57631", (7.0, 49.07, 7.1, 49.13)),
    "Thionville": ("57672", (6.1, 49.33, 6.22, 49.4)),
}

LICENCES: tuple[tuple[str, str, str | None, int], ...] = (
    # CKAN licence id, title, URL, weight
    ("lov2", "Licence Ouverte 2.0",
     "https://www.etalab.gouv.fr/licence-ouverte-open-licence", 35),
    ("fr-lo", "Licence Ouverte / Open Licence", None, 8),
    ("odc-odbl", "Open Data Commons Open Database License (ODbL)",
     "http://www.opendefinition.org/licenses/odc-odbl", 18),
    ("cc-by", "Creative Commons Attribution", "http://www.opendefinition.org/licenses/cc-by", 6),
    ("CC-BY-4.0", "Creative Commons Attribution 4.0", None, 4),
    ("notspecified", "License not specified", None, 5),
    ("other-closed", "Other (Not Open)", None, 2),
    ("licence-metropole", "Licence de réutilisation de la Métropole", None, 2),
)

FREQUENCIES: tuple[tuple[str, int], ...] = (
    ("http://publications.europa.eu/resource/authority/frequency/ANNUAL", 10),
    ("http://publications.europa.eu/resource/authority/frequency/MONTHLY", 6),
    ("Annuelle", 8),
    ("Mensuelle", 5),
    ("Quotidienne", 4),
    ("Au fil de l'eau", 3),
    ("Quand le cœur m'en dit", 1),  # not a frequency: dropped with a warning
)

THEME_URIS = {
    "environnement": "ENVI", "transports-et-mobilite": "TRAN", "economie-et-emploi": "ECON",
    "culture-sport-loisirs": "EDUC", "amenagement-urbanisme": "REGI", "citoyennete": "GOVE",
    "sante-social": "HEAL",
}
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"

KEYWORDS = ("open data", "Metz", "Moselle", "Grand Est", "données ouvertes", "Données ouvertes",
            "cartographie", "SIG", "temps réel", "budget", "mobilité", "déchets")

# format, mimetype, file extension, weight
RESOURCE_FORMATS: tuple[tuple[str, str | None, str, int], ...] = (
    ("CSV", "text/csv", "csv", 30),
    ("csv", "text/csv", "csv", 5),
    ("JSON", "application/json", "json", 10),
    ("GeoJSON", "application/geo+json", "geojson", 8),
    ("Shapefile (zip)", "application/zip", "zip", 6),
    ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", 6),
    ("PDF", "application/pdf", "pdf", 4),
    ("OGC:WMS", None, "wms", 4),
    ("", "text/csv", "csv", 2),
)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:90].rstrip("-")


def _de(place: str) -> str:
    return f"d'{place}" if place[0] in "AEIOUÉÈaeiou" else f"de {place}"


def _ckan_time(moment: datetime) -> str:
    """CKAN's timestamps: ISO 8601, microseconds, no time zone (UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _organisation(rng: random.Random) -> dict[str, Any]:
    name, title, description, _domain, _ = rng.choices(
        ORGANISATIONS, weights=[o[4] for o in ORGANISATIONS])[0]
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"organization/{name}")),
        "name": name, "title": title, "type": "organization", "description": description,
        "image_url": "", "created": "2018-03-01T09:00:00.000000", "is_organization": True,
        "approval_status": "approved", "state": "active",
    }


def _domain(organisation_name: str) -> str:
    return next(o[3] for o in ORGANISATIONS if o[0] == organisation_name)


def _group(name: str) -> dict[str, Any]:
    title = dict(GROUPS)[name]
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"group/{name}")), "name": name,
            "title": title, "display_name": title, "description": "",
            "image_display_url": ""}


def _notes(rng: random.Random, topic: str, place: str, publisher: str) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.2:  # pasted from a web page: HTML
        return (f"<p>Données « {dict(GROUPS)[topic].lower()} » {_de(place)}.</p>"
                f"<ul><li>Producteur&nbsp;: <strong>{html.escape(publisher)}</strong></li>"
                "<li>Mise à jour automatique</li></ul>")
    parts = [f"Ce jeu de données présente les données « {dict(GROUPS)[topic].lower()} » "
             f"{_de(place)}."]
    if rng.random() < 0.5:
        parts.append(f"Producteur : **{publisher}**. Voir aussi "
                     "[le site de la collectivité](https://www.metz.fr/).")
    if rng.random() < 0.3:
        parts.append("- Projection : Lambert 93\n- Encodage : UTF-8")
    return "\n\n".join(parts)


def _tags(rng: random.Random, place: str, topic: str) -> list[dict[str, Any]]:
    names = rng.sample((*KEYWORDS, place, dict(GROUPS)[topic]), k=rng.randint(0, 5))
    return [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tag/{n}")), "name": n,
             "display_name": n, "state": "active", "vocabulary_id": None} for n in names]


def _polygon(box: tuple[float, float, float, float]) -> str:
    west, south, east, north = box
    ring = [[west, south], [west, north], [east, north], [east, south], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _extras(rng: random.Random, *, topic: str, place: str, year: int) -> list[dict[str, str]]:
    """A partner's free extras: some read by the regional schema, some clashing with it,
    some only kept, and the remote harvester's own bookkeeping."""
    code, box = PLACES[place]
    extras: list[tuple[str, str]] = []
    if rng.random() < 0.6:
        frequency = rng.choices(FREQUENCIES, weights=[f[1] for f in FREQUENCIES])[0][0]
        extras.append(("frequency", frequency))
    if rng.random() < 0.4:
        themes = [EU_THEME + THEME_URIS[topic]]
        if rng.random() < 0.15:
            themes.append("Mobilité douce")  # not an EU theme: dropped with a warning
        extras.append(("theme", json.dumps(themes)))
    if rng.random() < 0.4:
        extras.append(("spatial", _polygon(box)))
    if rng.random() < 0.4:
        extras.append(("spatial_uri", f"http://id.insee.fr/geo/commune/{code}"))
    if rng.random() < 0.3:
        extras.append(("temporal_start", f"{year}-01-01"))
        extras.append(("temporal_end", f"{year}-12-31"))
    if rng.random() < 0.25:
        extras.append(("identifier", f"urn:grandest:{_slug(place)}:{rng.randint(1000, 9999)}"))
    if rng.random() < 0.3:
        extras.append(("source", rng.choice(("Service SIG", "Direction du numérique",
                                             "Observatoire territorial"))))
    if rng.random() < 0.2:
        extras.append(("harvest_object_id", _uuid(rng)))
        extras.append(("harvest_source_title", "Moissonnage du SIG"))
    if rng.random() < 0.03:
        extras.append(("name", "ancien-nom"))  # a core field's name: dropped with a warning
    return [{"key": key, "value": value} for key, value in extras]


def _resources(rng: random.Random, dataset_id: str, name: str,
               created: datetime) -> list[dict[str, Any]]:
    resources = []
    for position in range(rng.randint(0, 4) if rng.random() < 0.05 else rng.randint(1, 4)):
        fmt, mimetype, extension, _ = rng.choices(
            RESOURCE_FORMATS, weights=[f[3] for f in RESOURCE_FORMATS])[0]
        resource_id = _uuid(rng)
        if extension == "wms":
            url = f"{SITE}/geoserver/ows?service=WMS&request=GetCapabilities"
            url_type = None
        else:
            url = f"{SITE}/dataset/{dataset_id}/resource/{resource_id}/download/{name}.{extension}"
            url_type = "upload" if rng.random() < 0.7 else None
        modified = created + timedelta(days=rng.randint(0, 400))
        resources.append({
            "id": resource_id, "package_id": dataset_id, "position": position,
            "name": rng.choice((f"{name}.{extension}", f"Données ({fmt or 'fichier'})", "")),
            "description": rng.choice(("", "Fichier de données", "Données brutes, mises à jour "
                                                                  "chaque nuit")),
            "format": fmt, "mimetype": mimetype, "mimetype_inner": None,
            "size": rng.randint(200, 5_000_000) if url_type else None,
            "url": url, "url_type": url_type, "state": "active", "hash": "",
            "created": _ckan_time(created), "last_modified": _ckan_time(modified),
            "cache_url": None, "cache_last_updated": None, "datastore_active": rng.random() < 0.3,
            "resource_type": None,
        })
    return resources


def generate_catalogue(n: int = 300, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` CKAN package dicts, the same for the same arguments; ``id`` and ``name`` are
    unique. A few have no title (and only their name)."""
    rng = random.Random(seed)
    epoch = datetime(2017, 5, 2, 8, 0, 0)
    names: set[str] = set()
    datasets = []
    for _ in range(n):
        topic = rng.choice(list(TOPICS))
        place = rng.choice(list(PLACES))
        year = rng.randint(2016, 2024)
        title = rng.choice(TOPICS[topic]).format(de_place=_de(place), year=year)
        name, k = _slug(title), 2
        while name in names:
            name, k = f"{_slug(title)}-{k}", k + 1
        names.add(name)
        organisation = _organisation(rng)
        licence_id, licence_title, licence_url, _ = rng.choices(
            LICENCES, weights=[x[3] for x in LICENCES])[0]
        created = epoch + timedelta(minutes=rng.randint(0, 6 * 365 * 24 * 60))
        modified = created + timedelta(minutes=rng.randint(1, 365 * 24 * 60))
        dataset_id = _uuid(rng)
        domain = _domain(organisation["name"])
        maintainer_email = rng.choices((f"opendata@{domain}", f"sig@{domain}", "",
                                        "contact(at)mairie"), weights=(40, 30, 25, 2))[0]
        tags = _tags(rng, place, topic)
        resources = _resources(rng, dataset_id, name, created)
        groups = [_group(topic)] + ([_group("citoyennete")] if rng.random() < 0.1 else [])
        datasets.append({
            "id": dataset_id,
            "name": name,
            "title": title if rng.random() > 0.01 else "",
            "notes": _notes(rng, topic, place, organisation["title"]),
            "type": "dataset",
            "private": False,
            "state": "active",
            "version": "",
            "url": f"https://www.{domain}/donnees/{name}" if rng.random() < 0.3 else "",
            "author": organisation["title"] if rng.random() < 0.5 else "",
            "author_email": f"contact@{domain}" if rng.random() < 0.3 else "",
            "maintainer": rng.choice(("Service open data", "Mission SIG", "")),
            "maintainer_email": maintainer_email,
            "license_id": licence_id,
            "license_title": licence_title,
            **({"license_url": licence_url} if licence_url else {}),
            "isopen": licence_id in ("lov2", "fr-lo", "odc-odbl", "cc-by", "CC-BY-4.0"),
            "owner_org": organisation["id"],
            "organization": organisation,
            "groups": groups,
            "tags": tags,
            "num_tags": len(tags),
            "resources": resources,
            "num_resources": len(resources),
            "extras": _extras(rng, topic=topic, place=place, year=year),
            "metadata_created": _ckan_time(created),
            "metadata_modified": _ckan_time(modified),
            "creator_user_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"user/{organisation['name']}")),
            "relationships_as_object": [],
            "relationships_as_subject": [],
            "tracking_summary": {"total": rng.randint(0, 5000), "recent": rng.randint(0, 100)},
        })
    return datasets


# --------------------------------------------------------------------------------------
# Changes between two harvests


def _index_of(datasets: Sequence[dict[str, Any]], name_or_id: str) -> int:
    for i, dataset in enumerate(datasets):
        if name_or_id in (dataset["name"], dataset["id"]):
            return i
    raise KeyError(name_or_id)


def _replaced(datasets: Sequence[dict[str, Any]], name_or_id: str,
              change: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    i = _index_of(datasets, name_or_id)
    changed = copy.deepcopy(datasets[i])
    change(changed)
    return [*datasets[:i], changed, *datasets[i + 1:]]


def _touch(dataset: dict[str, Any]) -> None:
    modified = datetime.fromisoformat(dataset["metadata_modified"]) + timedelta(hours=1)
    dataset["metadata_modified"] = _ckan_time(modified)


def without_dataset(datasets: Sequence[dict[str, Any]], name_or_id: str
                    ) -> list[dict[str, Any]]:
    """A copy without the dataset (purged at the source)."""
    i = _index_of(datasets, name_or_id)
    return [*datasets[:i], *datasets[i + 1:]]


def with_private_dataset(datasets: Sequence[dict[str, Any]], name_or_id: str
                         ) -> list[dict[str, Any]]:
    """A copy where the dataset was turned private."""
    return _replaced(datasets, name_or_id,
                     lambda d: (d.update(private=True), _touch(d)))


def with_deleted_dataset(datasets: Sequence[dict[str, Any]], name_or_id: str
                         ) -> list[dict[str, Any]]:
    """A copy where the dataset was deleted (kept in the database, state "deleted")."""
    return _replaced(datasets, name_or_id,
                     lambda d: (d.update(state="deleted"), _touch(d)))


def with_changed_dataset(datasets: Sequence[dict[str, Any]], name_or_id: str,
                         **changes: Any) -> list[dict[str, Any]]:
    """A copy where the dataset's fields are changed (``metadata_modified`` moves on)."""
    return _replaced(datasets, name_or_id, lambda d: (d.update(changes), _touch(d)))


def with_new_views(datasets: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy where only the visit counters (``tracking_summary``) moved, as every night."""
    changed = copy.deepcopy(list(datasets))
    for dataset in changed:
        dataset["tracking_summary"]["total"] += 17
        dataset["tracking_summary"]["recent"] += 3
    return changed


def on_site(value: str, portal_url: str) -> str:
    """A stored URL (``{site}/…``) as the portal at ``portal_url`` serves it."""
    return value.replace(SITE, portal_url)


# --------------------------------------------------------------------------------------
# Search: the parts of package_search's q, fq and sort that partner harvesters send


class _SearchError(ValueError):
    pass


_FIELDS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "organization": lambda d: [(d.get("organization") or {}).get("name", "")],
    "groups": lambda d: [g["name"] for g in d.get("groups", [])],
    "tags": lambda d: [t["name"] for t in d.get("tags", [])],
    "name": lambda d: [d["name"]],
    "id": lambda d: [d["id"]],
    "license_id": lambda d: [d.get("license_id") or ""],
}
_SORTABLE = ("id", "name", "title", "metadata_created", "metadata_modified")


def _atom(term: str) -> Callable[[dict[str, Any]], bool]:
    negate = term.startswith("-")
    field, sep, value = term.lstrip("-+").partition(":")
    if not sep or field not in _FIELDS:
        raise _SearchError(f"Search Query is invalid: undefined field {field!r}")
    value = value.strip('"')

    def test(dataset: dict[str, Any]) -> bool:
        return (value in _FIELDS[field](dataset)) != negate

    return test


def _filter(fq: str) -> Callable[[dict[str, Any]], bool]:
    """``fq`` as the stock CKAN harvester builds it: terms joined by spaces (AND), with
    ``a OR b`` alternatives and ``-field:value`` exclusions."""
    try:
        tokens = shlex.split(fq, posix=False)
    except ValueError as e:
        raise _SearchError(f"Search Query is invalid: {e}") from None
    clauses: list[list[Callable[[dict[str, Any]], bool]]] = []
    joined = False
    for token in tokens:
        if token == "OR":
            joined = True
            continue
        if token == "AND":
            continue
        if joined and clauses:
            clauses[-1].append(_atom(token))
        else:
            clauses.append([_atom(token)])
        joined = False
    return lambda d: all(any(test(d) for test in clause) for clause in clauses)


def _matches_q(q: str, dataset: dict[str, Any]) -> bool:
    if q in ("", "*:*"):
        return True
    text = f"{dataset.get('title', '')} {dataset.get('notes', '')}".casefold()
    return all(word.casefold() in text for word in q.split())


def _sorted(datasets: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    ordered = list(datasets)
    for part in reversed([p.strip() for p in sort.split(",") if p.strip()]):
        field, _, direction = part.partition(" ")
        if field == "score":
            continue
        if field not in _SORTABLE:
            raise _SearchError(f"Search Query is invalid: cannot sort on {field!r}")
        ordered.sort(key=lambda d, f=field: d.get(f) or "", reverse=direction == "desc")
    return ordered


# --------------------------------------------------------------------------------------
# Routes


def _json(request: PeerRequest, payload: Any, status: int = 200) -> Response:
    text = json.dumps(payload, ensure_ascii=False).replace(SITE, request.mount_url)
    return status, {"Content-Type": "application/json;charset=utf-8"}, text.encode("utf-8")


def _action_error(request: PeerRequest, action: str, status: int, kind: str,
                  message: str, **details: Any) -> Response:
    return _json(request, {"help": f"{request.mount_url}{API_PREFIX}/help_show?name={action}",
                           "success": False,
                           "error": {"__type": kind, "message": message, **details}}, status)


def _int_arg(request: PeerRequest, name: str, default: int) -> int:
    raw = request.arg(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _SearchError(f"{name}: Invalid integer") from None
    if value < 0:
        raise _SearchError(f"{name}: Must be a natural number")
    return value


def ckan_routes(datasets: list[dict[str, Any]], *, api_key: str | None = None,
                lists_hidden: bool = False,
                flavour: Literal["ckan", "dkan"] = "ckan") -> list[Route]:
    """CKAN action API routes for ``datasets`` (read at each request: change the portal
    with ``datasets[:] = …``):

    - ``api/3/action/package_search?q=&fq=&rows=&start=&sort=&include_private=`` —
      ``{"success": true, "result": {"count", "results", …}}``; ``rows`` defaults to 10 and
      is cut to 1000; an unknown ``fq`` field answers 409 like Solr through CKAN;
    - ``api/3/action/package_show?id=`` (id or name; 404 unknown, 403 private);
    - ``api/3/action/package_list`` — the names of the listed datasets;
    - ``dataset/{name}`` (an HTML page) and the resources' downloads.
    """

    def authorised(request: PeerRequest) -> bool:
        return api_key is not None and request.headers.get("Authorization") == api_key

    def listed(request: PeerRequest, *, include_private: bool) -> list[dict[str, Any]]:
        if lists_hidden:
            return list(datasets)
        return [d for d in datasets if d["state"] == "active"
                and (not d["private"] or (include_private and authorised(request)))]

    def find(name_or_id: str) -> dict[str, Any] | None:
        return next((d for d in datasets if name_or_id in (d["id"], d["name"])), None)

    def package_search(request: PeerRequest) -> Response:
        try:
            rows = min(_int_arg(request, "rows", 10), ROWS_MAX)
            start = _int_arg(request, "start", 0)
            include_private = (request.arg("include_private") or "").lower() == "true"
            selected = [d for d in listed(request, include_private=include_private)
                        if _matches_q(request.arg("q") or "", d)]
            if request.arg("fq"):
                selected = [d for d in selected if _filter(request.arg("fq") or "")(d)]
            sort = request.arg("sort") or "score desc, metadata_modified desc"
            selected = _sorted(selected, sort)
        except _SearchError as e:
            kind = "Validation Error" if ": Invalid" in str(e) or "natural" in str(e) \
                else "Search Query Error"
            return _action_error(request, "package_search", 409, kind, str(e))
        return _json(request, {
            "help": f"{request.mount_url}{API_PREFIX}/help_show?name=package_search",
            "success": True,
            "result": {"count": len(selected), "sort": sort, "facets": {},
                       "results": selected[start:start + rows], "search_facets": {}},
        })

    def package_show(request: PeerRequest) -> Response:
        dataset = find(request.arg("id") or "")
        if dataset is None:
            return _action_error(request, "package_show", 404, "Not Found Error", "Not found")
        hidden = dataset["private"] or dataset["state"] != "active"
        if hidden and not lists_hidden and not (authorised(request)
                                                and dataset["state"] == "active"):
            return _action_error(request, "package_show", 403, "Authorization Error",
                                 f"Access denied: User  not authorized to read package "
                                 f"{dataset['id']}")
        result: Any = [dataset] if flavour == "dkan" else dataset
        return _json(request, {
            "help": f"{request.mount_url}{API_PREFIX}/help_show?name=package_show",
            "success": True, "result": result})

    def package_list(request: PeerRequest) -> Response:
        return _json(request, {
            "help": f"{request.mount_url}{API_PREFIX}/help_show?name=package_list",
            "success": True,
            "result": [d["name"] for d in listed(request, include_private=False)]})

    def dataset_page(request: PeerRequest) -> Response:
        dataset = find(request.params["name"])
        if dataset is None or dataset["private"] or dataset["state"] != "active":
            return text_response(404, "Jeu de données introuvable\n", "text/html")
        page = (f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>"
                f"{html.escape(dataset['title'] or dataset['name'])}</title></head><body><h1>"
                f"{html.escape(dataset['title'] or dataset['name'])}</h1></body></html>\n")
        return text_response(200, page, "text/html")

    def download(request: PeerRequest) -> Response:
        dataset = find(request.params["id"])
        resource = next((r for r in (dataset or {}).get("resources", [])
                         if r["id"] == request.params["resource"]), None)
        if resource is None:
            return text_response(404, "Ressource introuvable\n")
        body = f"nom;valeur\r\n{dataset['name']};1\r\n".encode() \
            if (resource["mimetype"] or "").startswith("text/") else b"\x00" * 16
        return 200, {"Content-Type": resource["mimetype"] or "application/octet-stream"}, body

    routes = [
        Route(f"{API_PREFIX}/package_show", package_show),
        Route(f"{API_PREFIX}/package_list", package_list),
        Route(r"/dataset/(?P<name>[^/]+)", dataset_page, match="regex"),
        Route(r"/dataset/(?P<id>[^/]+)/resource/(?P<resource>[^/]+)/download/[^/]+", download,
              match="regex"),
    ]
    if flavour == "ckan":
        routes.insert(0, Route(f"{API_PREFIX}/package_search", package_search))
    return routes
