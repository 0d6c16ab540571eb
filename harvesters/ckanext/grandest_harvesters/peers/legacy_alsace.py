"""The legacy Open Data Alsace platform (MGDIS OData data server), generated.

Follows ``../shared/docs/legacy-alsace-mgdis.md``. No real MGDIS payload survives (see
``../shared/corpus/SOURCES.md``, section ``mgdis/``), so the catalogue is generated:
deterministic (a seeded ``random.Random``, no clock), realistic French titles with accents,
HTML in summaries, duplicated and case-variant keywords, missing optional fields, and a few
broken entries (no title, bad dates, not ``PUBLIC``, no description at all) at positions
drawn from the same seed. :func:`anomalies` lists them.

Generation::

    entries = generate_catalogue(2000, seed=42)
    entries = with_changed_entry(entries, "cral-000010")  # between two harvests
    entries = without_entry(entries, "cral-000011")

Serving (routes for :class:`~.server.PeerServer`)::

    routes = legacy_alsace_routes(entries, org="CRAL", page_size=100)

The routes read ``entries`` at every request: change the source between two harvests by
replacing its content in place (``entries[:] = without_entry(entries, id)``).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from xml.sax.saxutils import escape

from ckanext.grandest_harvesters.peers.server import PeerRequest, Response, Route, text_response

__all__ = [
    "CATEGORIES",
    "LEGACY_BASE_URL",
    "SOURCE_TYPE",
    "anomalies",
    "data_rows",
    "generate_catalogue",
    "legacy_alsace_routes",
    "with_changed_entry",
    "without_entry",
]

LEGACY_BASE_URL = "http://opendata.alsace.fr/"
SOURCE_TYPE = "fr.mgdis.odata.catalog.SourceType"
DEFAULT_SEED = 20130514
# The legacy platform is frozen: data feeds carry this date rather than the clock's.
FROZEN_AT = "2016-09-30T00:00:00Z"

# Commune -> INSEE code (départements 67 Bas-Rhin and 68 Haut-Rhin).
PLACES: dict[str, str] = {
    "Strasbourg": "67482", "Mulhouse": "68224", "Colmar": "68066", "Haguenau": "67180",
    "Sélestat": "67462", "Saverne": "67437", "Guebwiller": "68112", "Obernai": "67348",
    "Schiltigheim": "67447", "Illkirch-Graffenstaden": "67218", "Wissembourg": "67544",
    "Molsheim": "67300", "Saint-Louis": "68297", "Thann": "68334", "Ribeauvillé": "68269",
    "Erstein": "67130", "Altkirch": "68004", "Bischwiller": "67046", "Riquewihr": "68277",
    "Munster": "68226", "Rouffach": "68287", "Cernay": "68063", "Brumath": "67067",
}

# name -> (URI slug, keywords, title templates, what the data holds, indicator)
CATEGORIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str, str]] = {
    "Environnement": (
        "environnement", ("environnement", "air", "pollution", "bruit", "déchets", "nature"),
        ("Qualité de l'air à {place} — mesures {year}",
         "Points d'apport volontaire du verre {de_place}",
         "Espaces verts et arbres d'alignement {de_place}",
         "Cartes stratégiques du bruit routier ({place}, {year})",
         "Zones naturelles d'intérêt écologique autour {de_place}"),
        "les points de mesure et d'observation", "Concentration moyenne de NO₂ (µg/m³)"),
    "Transports": (
        "transports", ("transports", "bus", "tram", "vélo", "stationnement", "mobilité"),
        ("Horaires des lignes de bus {de_place}",
         "Comptages vélos sur les pistes cyclables {de_place} — {year}",
         "Parkings relais et stationnement à {place}",
         "Trafic moyen journalier sur les routes {dept} en {year}"),
        "les lignes, arrêts et équipements", "Trafic moyen journalier (véhicules)"),
    "Culture": (
        "culture", ("culture", "musées", "patrimoine", "bibliothèques", "festival"),
        ("Musées et monuments historiques {de_place}",
         "Fréquentation des bibliothèques {de_place} en {year}",
         "Programme des festivals d'été à {place} ({year})",
         "Patrimoine alsacien : églises et châteaux près {de_place}"),
        "les lieux et événements culturels", "Entrées annuelles"),
    "Économie": (
        "economie", ("économie", "entreprises", "emploi", "commerce", "artisanat"),
        ("Créations d'entreprises à {place} en {year}",
         "Zones d'activités économiques {de_place}",
         "Marchés hebdomadaires {de_place}",
         "Aides régionales aux entreprises {dept} — {year}"),
        "les établissements et aides économiques", "Nombre d'établissements"),
    "Éducation": (
        "education", ("éducation", "lycées", "apprentissage", "formation", "enseignement"),
        ("Lycées {de_place} : effectifs {year}",
         "Apprentissage et formation professionnelle en Alsace — {year}",
         "Résultats au baccalauréat des lycées {de_place} ({year})"),
        "les établissements et leurs effectifs", "Effectif d'élèves"),
    "Santé": (
        "sante", ("santé", "pharmacies", "hôpitaux", "médecins"),
        ("Pharmacies de garde à {place}",
         "Établissements de santé {de_place}",
         "Maisons de santé pluriprofessionnelles en Alsace ({year})"),
        "les établissements et professionnels de santé", "Nombre de professionnels"),
    "Tourisme": (
        "tourisme", ("tourisme", "hébergement", "vins", "noël", "randonnée"),
        ("Hébergements touristiques {de_place}",
         "Route des Vins d'Alsace : caves et domaines près {de_place}",
         "Fréquentation touristique {de_place} en {year}",
         "Marchés de Noël {de_place} — {year}"),
        "les sites, hébergements et fréquentations", "Nuitées"),
    "Aménagement du territoire": (
        "amenagement-du-territoire", ("urbanisme", "cadastre", "PLU", "aménagement", "SIG"),
        ("Plan local d'urbanisme {de_place}",
         "Permis de construire délivrés à {place} en {year}",
         "Cadastre et parcelles {de_place}",
         "Orthophotographie {de_place} ({year})"),
        "les zonages et parcelles", "Surface (ha)"),
    "Agriculture": (
        "agriculture", ("agriculture", "viticulture", "exploitations", "cultures"),
        ("Surfaces viticoles autour {de_place}",
         "Exploitations agricoles {dept} en {year}",
         "Recensement agricole : cultures autour {de_place}"),
        "les exploitations et surfaces agricoles", "Surface agricole utile (ha)"),
    "Population": (
        "population", ("population", "démographie", "recensement", "naissances"),
        ("Population légale {de_place} en {year}",
         "Naissances et décès à {place} ({year})",
         "Pyramide des âges {de_place} — {year}"),
        "les effectifs de population", "Population municipale"),
    "Énergie": (
        "energie", ("énergie", "électricité", "photovoltaïque", "chaleur"),
        ("Consommation électrique des bâtiments publics {de_place} ({year})",
         "Installations photovoltaïques à {place}",
         "Réseau de chaleur {de_place}"),
        "les installations et consommations d'énergie", "Consommation (MWh)"),
    "Administration": (
        "administration", ("administration", "budget", "subventions", "marchés publics"),
        ("Budget primitif de la Région Alsace — {year}",
         "Délibérations du conseil municipal {de_place} ({year})",
         "Subventions versées aux associations {de_place} en {year}",
         "Marchés publics attribués en {year} {dept}"),
        "les décisions et montants publics", "Montant (€)"),
}

# Licence text -> licence URL as the old server wrote it ("None" was a literal string there).
LICENCES: tuple[tuple[str, str, int], ...] = (
    ("Licence ouverte Alsace", "None", 50),
    ("Licence Libre", "None", 20),
    ("Licence Ouverte (Etalab)", "http://www.data.gouv.fr/Licence-Ouverte-Open-Licence", 18),
    ("ODbL", "http://opendatacommons.org/licenses/odbl/", 12),
)

FREQUENCIES: tuple[tuple[str, int], ...] = (
    ("Annuelle", 30), ("Mensuelle", 12), ("Journalière", 6), ("Hebdomadaire", 5),
    ("Trimestrielle", 6), ("Semestrielle", 5), ("Ponctuelle", 25), ("Temps réel", 3),
)

FREQUENCY_PHRASES = {
    "Annuelle": "chaque année", "Mensuelle": "chaque mois", "Journalière": "chaque jour",
    "Hebdomadaire": "chaque semaine", "Trimestrielle": "chaque trimestre",
    "Semestrielle": "chaque semestre", "Ponctuelle": "ponctuellement",
    "Temps réel": "en temps réel",
}

PRODUCERS = {
    "region": ("la Région Alsace", "le Conseil Régional d'Alsace"),
    "cigal": ("la CIGAL", "la Coopération pour l'Information Géographique en Alsace"),
}
PARTNERS = (
    "l'ASPA", "la CTS", "Soléa", "l'INSEE", "la DREAL Alsace", "l'Agence d'attractivité de "
    "l'Alsace", "la Chambre d'agriculture d'Alsace", "l'ARS Alsace", "le Rectorat de Strasbourg",
)

MALFORMED_DATES = (
    "2014-13-45T25:61:00", "14/03/2013", "", "2013-02-30T10:00:00", "inconnue",
    "0000-00-00T00:00:00",
)

# Share of entries given each anomaly (at least one each from 100 entries up).
ANOMALY_RATES: tuple[tuple[str, float], ...] = (
    ("private", 0.02),
    ("restricted", 0.0075),
    ("missing_title", 0.005),
    ("blank_title", 0.0025),
    ("no_description", 0.0015),
    ("bad_created", 0.005),
    ("bad_updated", 0.005),
)


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


def _de(place: str) -> str:
    return f"d'{place}" if place[0] in "AEIOUÉÈaeiou" else f"de {place}"


def _format_date(rng: random.Random, moment: datetime) -> str:
    style = rng.random()
    if style < 0.6:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    if style < 0.75:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style < 0.85:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + rng.choice(("+01:00", "+02:00"))


def _summary(rng: random.Random, topic: _Topic) -> str:
    what = CATEGORIES[topic.category][3]
    producer = rng.choice(PRODUCERS[topic.owner])
    partner = rng.choice(PARTNERS)
    when = FREQUENCY_PHRASES.get(topic.frequency or "", "sans périodicité connue")
    de_place, year = _de(topic.place), topic.year
    parts = [
        f"<p>Ce jeu de donn&eacute;es recense {what} {de_place}.</p>",
        f"<p>Les donn&eacute;es sont produites par <strong>{producer}</strong> et mises "
        f"&agrave; jour {when}.</p>",
    ]
    extra = rng.random()
    if extra < 0.35:
        parts.append(
            f"<p>Source&nbsp;: {producer} &amp; {partner}.<br/>Plus d'informations sur "
            '<a href="http://www.region-alsace.eu/">le site de la R&eacute;gion</a>.</p>'
        )
    elif extra < 0.55:
        parts.append(
            "<ul><li>Couverture&nbsp;: Alsace (Bas-Rhin, Haut-Rhin)</li>"
            f"<li>Ann&eacute;e de r&eacute;f&eacute;rence&nbsp;: {year}</li></ul>"
        )
    elif extra < 0.7:
        parts.append(
            f"<p>Attention&nbsp;: certaines valeurs de l&rsquo;ann&eacute;e {year} sont "
            "provisoires.</p>"
        )
    elif extra < 0.8:
        # Some producers typed plain text with real accents, no markup at all.
        return f"Données {de_place} ({year}), fournies par {producer} et {partner}."
    return "".join(parts)


def _keywords(rng: random.Random, category: str, place: str) -> list[str]:
    base = CATEGORIES[category][1]
    words = rng.sample(base, k=min(len(base), rng.randint(2, 4)))
    if rng.random() < 0.5:
        words.append(place)
    if rng.random() < 0.35:  # the same keyword twice
        words.append(rng.choice(words))
    if rng.random() < 0.35:  # a case variant
        word = rng.choice(words)
        words.append(word.upper() if rng.random() < 0.3 else word.capitalize())
    return words


def _schema(category: str) -> list[dict[str, str]]:
    indicator = CATEGORIES[category][4]
    return [
        {"name": "commune", "type": "Edm.String", "title": "Commune"},
        {"name": "code_insee", "type": "Edm.String", "title": "Code INSEE"},
        {"name": "annee", "type": "Edm.Int32", "title": "Année"},
        {"name": "indicateur", "type": "Edm.String", "title": "Indicateur"},
        {"name": "valeur", "type": "Edm.Double", "title": indicator},
    ]


def _anomaly_plan(rng: random.Random, n: int) -> dict[int, str]:
    wanted = []
    for kind, rate in ANOMALY_RATES:
        k = round(n * rate)
        if n >= 100:
            k = max(1, k)
        wanted += [kind] * k
    wanted = wanted[:n]
    positions = rng.sample(range(n), k=len(wanted))
    return dict(zip(positions, wanted, strict=True))


@dataclass(frozen=True)
class _Topic:
    """What one entry is about, drawn first; the other fields derive from it."""

    category: str
    place: str
    year: int
    title: str
    owner: str
    frequency: str | None  # None: the entry has no (or a null) updateFrequency
    frequency_field: Literal["present", "absent", "null"]


def _draw_topic(rng: random.Random) -> _Topic:
    category = rng.choice(list(CATEGORIES))
    place = rng.choice(list(PLACES))
    year = rng.randint(2008, 2015)
    dept = "du Bas-Rhin" if PLACES[place].startswith("67") else "du Haut-Rhin"
    title = rng.choice(CATEGORIES[category][2]).format(
        place=place, de_place=_de(place), year=year, dept=dept)
    geo = category in ("Aménagement du territoire", "Agriculture", "Environnement")
    owner = "cigal" if geo and rng.random() < 0.5 else "region"
    frequency = _weighted(rng, FREQUENCIES)[0]
    roll = rng.random()
    field = "present" if roll >= 0.06 else ("null" if roll < 0.01 else "absent")
    return _Topic(category, place, year, title, owner,
                  frequency if field == "present" else None, field)


def _description(rng: random.Random, topic: _Topic, anomaly: str | None,
                 thumbnail: str) -> dict[str, Any]:
    description: dict[str, Any] = {"locale": rng.choice(("fr", "fr", "fr-FR")),
                                   "title": topic.title}
    if rng.random() < 0.85:
        description["subtitle"] = rng.choice((
            f"{topic.category} — {topic.place}",
            f"Données {'de la CIGAL' if topic.owner == 'cigal' else 'de la Région Alsace'}",
            f"Millésime {topic.year}",
            "",
        ))
    description["summary"] = _summary(rng, topic)
    roll = rng.random()
    if roll < 0.9:
        description["keywords"] = {"results": _keywords(rng, topic.category, topic.place)}
    elif roll < 0.95:
        description["keywords"] = {"results": []}
    roll = rng.random()
    if roll < 0.4:
        description["thumbnail"] = thumbnail
    elif roll < 0.7:
        description["thumbnail"] = None
    if anomaly == "missing_title":
        del description["title"]
    elif anomaly == "blank_title":
        description["title"] = "   "
    return description


def _categories(rng: random.Random, topic: _Topic, catalog_url: str) -> list[dict[str, str]]:
    # The old server mostly wrote the literal string "none" as a category's uri.
    slug = CATEGORIES[topic.category][0]
    results = [{"name": topic.category,
                "uri": "none" if rng.random() < 0.7 else f"{catalog_url}/Category('{slug}')"}]
    if rng.random() < 0.08:
        other = rng.choice(list(CATEGORIES))
        if other != topic.category:
            results.append({"name": other, "uri": "none"})
    return [] if rng.random() < 0.02 else results


def _copyright(rng: random.Random, topic: _Topic) -> dict[str, Any]:
    text, url, _ = _weighted(rng, LICENCES)
    language = rng.choice(("fr-FR", "fr-FR", "fr"))
    return {
        "licences": {"results": [{
            "summary": {"results": [{"language": language, "text": text}]},
            "url": url,
        }]},
        "owner": topic.owner,
    }


def _dates(rng: random.Random, anomaly: str | None) -> dict[str, str]:
    created = datetime(2011, 1, 3, 8, 0, 0) + timedelta(minutes=rng.randint(0, 4 * 365 * 1440))
    updated = created + timedelta(minutes=rng.randint(0, 600 * 1440))
    updated = min(updated, datetime(2016, 9, 30, 18, 0, 0))
    dates = {"createdOnDate": (rng.choice(MALFORMED_DATES) if anomaly == "bad_created"
                               else _format_date(rng, created))}
    if anomaly == "bad_updated":
        dates["lastUpdateDate"] = rng.choice(MALFORMED_DATES)
    elif rng.random() < 0.97:
        dates["lastUpdateDate"] = _format_date(rng, updated)
    return dates


def _entry(rng: random.Random, entry_id: str, anomaly: str | None, *, org: str,
           base_url: str) -> dict[str, Any]:
    catalog_url = f"{base_url}dataserver/{org}/catalog"
    entry_url = f"{catalog_url}/Source('{entry_id}')"
    topic = _draw_topic(rng)
    description = _description(rng, topic, anomaly,
                               f"{base_url}dataserver/{org}/thumbnails/{entry_id}.png")
    entry: dict[str, Any] = {
        "__metadata": {"type": SOURCE_TYPE, "uri": entry_url},
        "id": entry_id,
        "descriptions": {"results": [] if anomaly == "no_description" else [description]},
        "categories": {"results": _categories(rng, topic, catalog_url)},
        "copyright": _copyright(rng, topic),
        **_dates(rng, anomaly),
    }
    if topic.frequency_field != "absent":
        entry["updateFrequency"] = topic.frequency
    entry["locale"] = description["locale"]
    entry["privacy"] = {"private": "PRIVATE", "restricted": "RESTRICTED"}.get(
        anomaly or "", "PUBLIC")
    history = [{"date": entry["createdOnDate"], "action": "CREATION",
                "comment": "Publication du jeu de données"}]
    if "lastUpdateDate" in entry:
        history.append({"date": entry["lastUpdateDate"], "action": "MISE_A_JOUR",
                        "comment": "Mise à jour des données"})
    entry["history"] = {"results": history}
    entry["schema"] = {"results": _schema(topic.category)}
    entry["extensions"] = {"__deferred": {"uri": f"{entry_url}/extensions"}}
    return entry


def generate_catalogue(
    n: int = 2000, seed: int = DEFAULT_SEED, *, org: str = "CRAL",
    base_url: str = LEGACY_BASE_URL,
) -> list[dict[str, Any]]:
    """``n`` catalogue entries (``fr.mgdis.odata.catalog.SourceType``), the same for the
    same arguments. Ids are ``{org}-NNNNNN`` (lower case), unique and stable."""
    rng = random.Random(seed)
    plan = _anomaly_plan(rng, n)
    return [
        _entry(rng, f"{org.lower()}-{i + 1:06d}", plan.get(i), org=org, base_url=base_url)
        for i in range(n)
    ]


# --------------------------------------------------------------------------------------
# Mutations between two harvests


def _index_of(entries: Sequence[dict[str, Any]], entry_id: str) -> int:
    for i, entry in enumerate(entries):
        if entry.get("id") == entry_id:
            return i
    raise KeyError(entry_id)


def with_changed_entry(entries: Sequence[dict[str, Any]], entry_id: str) -> list[dict[str, Any]]:
    """A copy of ``entries`` where ``entry_id`` has a revised title and summary and a
    ``lastUpdateDate`` one day later (the other entries are the same objects)."""
    i = _index_of(entries, entry_id)
    entry = copy.deepcopy(entries[i])
    for description in entry["descriptions"]["results"]:
        if isinstance(description.get("title"), str) and description["title"].strip():
            description["title"] += " (mise à jour)"
        description["summary"] = (description.get("summary") or "") + (
            "<p>Mise &agrave; jour&nbsp;: donn&eacute;es corrig&eacute;es.</p>")
    try:
        previous = datetime.strptime(str(entry.get("lastUpdateDate"))[:19], "%Y-%m-%dT%H:%M:%S")
        entry["lastUpdateDate"] = (previous + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        entry["lastUpdateDate"] = "2016-10-01T08:00:00"
    return [*entries[:i], entry, *entries[i + 1:]]


def without_entry(entries: Sequence[dict[str, Any]], entry_id: str) -> list[dict[str, Any]]:
    """A copy of ``entries`` without ``entry_id`` (a dataset removed at the source)."""
    i = _index_of(entries, entry_id)
    return [*entries[:i], *entries[i + 1:]]


def _is_iso_datetime(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def anomalies(entries: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Ids of the entries a harvester must not publish as-is, by reason:
    ``not_public``, ``missing_title`` (absent, blank, or no description), ``bad_date``."""
    found: dict[str, list[str]] = {"not_public": [], "missing_title": [], "bad_date": []}
    for entry in entries:
        if entry.get("privacy") != "PUBLIC":
            found["not_public"].append(entry["id"])
        descriptions = entry.get("descriptions", {}).get("results") or [{}]
        if not str(descriptions[0].get("title") or "").strip():
            found["missing_title"].append(entry["id"])
        if not _is_iso_datetime(entry.get("createdOnDate")) or (
            "lastUpdateDate" in entry and not _is_iso_datetime(entry["lastUpdateDate"])
        ):
            found["bad_date"].append(entry["id"])
    return found


# --------------------------------------------------------------------------------------
# Data of one dataset


def data_rows(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A few deterministic rows for ``entry`` (same columns as its ``schema``)."""
    rng = random.Random(entry["id"])
    categories = entry.get("categories", {}).get("results") or [{"name": "Administration"}]
    category = categories[0]["name"] if categories[0]["name"] in CATEGORIES else "Administration"
    indicator = CATEGORIES[category][4]
    places = rng.sample(list(PLACES), k=rng.randint(3, 6))
    rows = []
    for place in places:
        for year in sorted(rng.sample(range(2009, 2016), k=rng.randint(1, 2))):
            rows.append({
                "commune": place,
                "code_insee": PLACES[place],
                "annee": year,
                "indicateur": indicator,
                "valeur": round(rng.uniform(1, 5000), 2),
            })
    return rows


def _data_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _data_json(rows: list[dict[str, Any]], data_url: str, entry_id: str) -> bytes:
    results = [
        {"__metadata": {"uri": f"{data_url}({n})",
                        "type": f"fr.mgdis.odata.data.{entry_id}Type"}, **row}
        for n, row in enumerate(rows, start=1)
    ]
    return json.dumps({"d": {"results": results}}, ensure_ascii=False).encode("utf-8")


def _edm_type(value: Any) -> str:
    if isinstance(value, bool):
        return ' m:type="Edm.Boolean"'
    if isinstance(value, int):
        return ' m:type="Edm.Int32"'
    if isinstance(value, float):
        return ' m:type="Edm.Double"'
    return ""


def _data_atom(rows: list[dict[str, Any]], data_url: str, entry_id: str, title: str) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom"'
        ' xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices"'
        ' xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">',
        f'  <title type="text">{escape(title)}</title>',
        f"  <id>{escape(data_url)}</id>",
        f"  <updated>{FROZEN_AT}</updated>",
        f'  <link rel="self" title="{escape(entry_id)}" href="{escape(data_url)}" />',
    ]
    for n, row in enumerate(rows, start=1):
        props = "".join(
            f"<d:{k}{_edm_type(v)}>{escape(str(v))}</d:{k}>" for k, v in row.items()
        )
        lines += [
            "  <entry>",
            f"    <id>{escape(data_url)}({n})</id>",
            '    <title type="text" />',
            f"    <updated>{FROZEN_AT}</updated>",
            "    <author><name /></author>",
            f'    <content type="application/xml"><m:properties>{props}</m:properties></content>',
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------------------
# Routes


def _png_1x1() -> bytes:
    """A valid 1x1 transparent PNG (the thumbnails)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8 bits, RGBA
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")  # filter 0 + one transparent pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


_PNG_1X1 = _png_1x1()


def _odata_error(status: int, message: str) -> Response:
    body = {"error": {"code": "", "message": {"lang": "fr-FR", "value": message}}}
    return (status, {"Content-Type": "application/json;charset=utf-8"},
            json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _json(payload: Any, request: PeerRequest, rewrite_base: bool) -> Response:
    text = json.dumps(payload, ensure_ascii=False)
    if rewrite_base:
        text = text.replace(LEGACY_BASE_URL, request.mount_url + "/")
    return 200, {"Content-Type": "application/json;charset=utf-8"}, text.encode("utf-8")


def _int_arg(request: PeerRequest, name: str) -> int | None:
    value = request.arg(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValueError(f"Valeur invalide pour {name} : {value!r}")
    return int(value)


def legacy_alsace_routes(
    entries: list[dict[str, Any]],
    org: str = "CRAL",
    page_size: int | None = None,
    envelope: Literal["results", "list"] = "results",
    *,
    rewrite_base: bool = True,
) -> list[Route]:
    """Routes of the legacy data server for ``entries``.

    - ``GET /dataserver/{org}/catalog/Source?$format=json``: ``{"d": {"results": [...]}}``
      (``envelope="results"``) or ``{"d": [...]}`` (``"list"``); ``$top``/``$skip`` are
      honoured, ``$inlinecount=allpages`` adds ``__count``. With ``page_size``, pages are at
      most that long and a ``__next`` link (absolute, with ``$skip``) sits next to
      ``results`` while entries remain (needs the ``results`` envelope).
    - ``GET /dataserver/{org}/catalog/Source('{id}')`` and ``…/extensions``: one entry, and
      its deferred extensions.
    - ``GET /dataserver/{org}/data/{id}?$format=csv|json``, and without ``$format`` (AtomPub
      XML): small deterministic data for known ids, 404 otherwise;
    - ``GET /dataserver/{org}/thumbnails/{id}.png``: a 1x1 PNG for known ids.

    ``rewrite_base``: URLs the generator wrote under ``http://opendata.alsace.fr/`` are
    served under this peer's own address (as the real server did), so that ``__metadata.uri``
    and the deferred links can be fetched.
    """
    if envelope not in ("results", "list"):
        raise ValueError(f"unknown envelope {envelope!r}")
    if page_size is not None and envelope == "list":
        raise ValueError('paging with __next needs the "results" envelope')
    if page_size is not None and page_size <= 0:
        raise ValueError("page_size must be positive")
    prefix = f"/dataserver/{org}"

    def by_id(entry_id: str) -> dict[str, Any] | None:
        return next((e for e in entries if e.get("id") == entry_id), None)

    def catalogue(request: PeerRequest) -> Response:
        fmt = request.arg("$format")
        if fmt != "json":
            return _odata_error(400, f"$format non pris en charge : {fmt!r} (json attendu)")
        try:
            skip = _int_arg(request, "$skip") or 0
            top = _int_arg(request, "$top")
        except ValueError as e:
            return _odata_error(400, str(e))
        limit = top
        if page_size is not None:
            limit = page_size if top is None else min(top, page_size)
        snapshot = list(entries)
        page = snapshot[skip:] if limit is None else snapshot[skip:skip + limit]
        if envelope == "list":
            return _json({"d": page}, request, rewrite_base)
        d: dict[str, Any] = {"results": page}
        if request.arg("$inlinecount") == "allpages":
            d["__count"] = str(len(snapshot))
        if page_size is not None and skip + len(page) < len(snapshot):
            source = f"{request.mount_url}{prefix}/catalog/Source"
            nxt = f"{source}?$format=json&$skip={skip + len(page)}"
            if top is not None:
                nxt += f"&$top={top}"
            d["__next"] = nxt
        return _json({"d": d}, request, rewrite_base)

    def one_entry(request: PeerRequest) -> Response:
        entry = by_id(request.params["id"])
        if entry is None:
            return _odata_error(404, f"Source introuvable : {request.params['id']}")
        if request.params.get("rest"):
            extensions = [
                {"key": "territoire", "value": "Alsace"},
                {"key": "producteur", "value": entry["copyright"]["owner"]},
            ]
            return _json({"d": {"results": extensions}}, request, rewrite_base)
        return _json({"d": entry}, request, rewrite_base)

    def data(request: PeerRequest) -> Response:
        entry_id = request.params["id"]
        entry = by_id(entry_id)
        if entry is None:
            return text_response(404, f"Jeu de données inconnu : {entry_id}\n")
        rows = data_rows(entry)
        data_url = f"{request.mount_url}{prefix}/data/{entry_id}"
        fmt = request.arg("$format")
        if fmt == "csv":
            return 200, {"Content-Type": "text/csv; charset=utf-8"}, _data_csv(rows)
        if fmt == "json":
            return (200, {"Content-Type": "application/json;charset=utf-8"},
                    _data_json(rows, data_url, entry_id))
        if fmt is None or fmt == "atom":
            descriptions = entry.get("descriptions", {}).get("results") or [{}]
            title = str(descriptions[0].get("title") or entry_id)
            return (200, {"Content-Type": "application/atom+xml;charset=utf-8"},
                    _data_atom(rows, data_url, entry_id, title))
        return _odata_error(400, f"$format non pris en charge : {fmt!r}")

    def thumbnail(request: PeerRequest) -> Response:
        if by_id(request.params["id"]) is None:
            return text_response(404, f"Vignette inconnue : {request.params['id']}\n")
        return 200, {"Content-Type": "image/png"}, _PNG_1X1

    return [
        Route(f"{prefix}/catalog/Source", catalogue),
        Route(re.escape(f"{prefix}/thumbnails/") + r"(?P<id>[^/]+)\.png", thumbnail,
              match="regex"),
        Route(re.escape(f"{prefix}/catalog/Source") + r"\('(?P<id>[^']+)'\)(?P<rest>/extensions)?",
              one_entry, match="regex"),
        Route(re.escape(f"{prefix}/data/") + r"(?P<id>[^/]+)", data, match="regex"),
    ]
