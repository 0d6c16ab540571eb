"""The consultation pages: list, detail with charts, transparency; French, no respondent."""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup

from ckanext.consultation import synthetic_answers

from .conftest import QUESTION


def _page(app, url: str, status: int = 200) -> BeautifulSoup:
    response = app.get(url, status=status)
    return BeautifulSoup(response.body, "html.parser")


def _text(node) -> str:
    """Visible text with French number and unit spaces as plain spaces."""
    text = node.get_text(" ", strip=True).replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(text.split())


def test_list_shows_public_consultations_by_status(app, consultations):
    page = _page(app, "/consultations")
    sections = {s["id"]: _text(s) for s in page.select(".consultation-section")}
    assert "Plus de places vélo dans les TER ?" in sections["consultations-open"]
    assert "Des cantines plus bio dans les lycées ?" in sections["consultations-closed"]
    published = sections["consultations-published"]
    assert QUESTION in published
    assert "Participants 3 000" in published
    assert "En cours (60 %)" in published
    text = page.get_text(" ")
    for hidden in consultations["hidden"]:
        assert hidden not in text
    assert "Transports" in text and "Grand Est (région, 44)" in text


def test_detail_embeds_the_release_as_chart_data(app, consultations):
    page = _page(app, f"/consultations/{consultations['published']}")
    script = page.select_one(f"script#consultation-results-{consultations['question']}")
    data = json.loads(script.string)
    charts = {c["name"]: c for c in data["charts"]}
    assert list(charts) == ["ensemble", "departement", "age", "sexe"]
    tables = {t["nom"]: t["lignes"] for t in consultations["release"]["tableaux"]}
    for name, chart in charts.items():
        column = {"ensemble": None, "departement": "territoire", "age": "tranche_age",
                  "sexe": "sexe"}[name]
        for g, group in enumerate(chart["groups"]):
            for o, option in enumerate(chart["options"]):
                (row,) = [
                    r for r in tables[name]
                    if r["reponse"] == option
                    and (column is None or r[column] == group)
                    and (name != "departement" or r["niveau"] == "département")
                ]
                assert chart["counts"][g][o] == row["effectif"]
                assert chart["percentages"][g][o] == row["pourcentage"]
    assert charts["ensemble"]["counts"] == [[r["effectif"] for r in tables["ensemble"][:4]]]
    assert len(page.select("canvas[data-module=consultation-chart]")) == 4


def test_secret_cells_are_shown_as_secret_never_guessed(app, consultations):
    page = _page(app, f"/consultations/{consultations['published']}")
    tables = {t["nom"]: t["lignes"] for t in consultations["release"]["tableaux"]}
    secret_rows = [r for r in tables["departement"] if r["statut"] == "secret"]
    assert secret_rows, "the fixture poll must have secret cells"
    figure = page.select_one("figure[data-chart=departement]")
    cells = {}
    header = [th.get_text(strip=True) for th in figure.select("thead th")]
    for tr in figure.select("tbody tr"):
        label = tr.th.get_text(strip=True)
        for option, td in zip(header[1:], tr.select("td"), strict=True):
            cells[(label, option)] = td
    for row in secret_rows:
        key = (row["territoire"], "Total" if row["reponse"] == "Ensemble" else row["reponse"])
        assert cells[key].get_text(strip=True) == "secret"
        assert "secret" in cells[key]["class"]
    data = json.loads(page.select_one("script[type='application/json']").string)
    departements = next(c for c in data["charts"] if c["name"] == "departement")
    for row in secret_rows:
        if row["reponse"] != "Ensemble":
            g = departements["groups"].index(row["territoire"])
            o = departements["options"].index(row["reponse"])
            assert departements["counts"][g][o] is None
            assert departements["percentages"][g][o] is None
    # Together only: the group's total minus its published cells, as anyone computes it.
    for g, group in enumerate(departements["groups"]):
        rows = {r["reponse"]: r["effectif"] for r in tables["departement"]
                if r["territoire"] == group and r["niveau"] == "département"}
        hidden = [a for a, n in rows.items() if n is None and a != "Ensemble"]
        if rows["Ensemble"] and hidden:
            assert len(hidden) >= 2
            shown = sum(n for a, n in rows.items() if n is not None and a != "Ensemble")
            assert departements["secret"][g] == round(
                100 * (rows["Ensemble"] - shown) / rows["Ensemble"], 1)
        else:
            assert departements["secret"][g] is None


def test_detail_shows_question_methodology_and_followup(app, consultations):
    page = _page(app, f"/consultations/{consultations['published']}")
    text = _text(page)
    assert [li.get_text() for li in page.select(".consultation-options li")] == [
        "Oui", "Plutôt oui", "Plutôt non", "Non"]
    methodology = page.select_one(".consultation-methodology").get_text(" ")
    assert "Règle de fréquence" in methodology and "secret secondaire" in methodology.lower()
    entries = page.select(".consultation-timeline > li")
    assert len(entries) == 2
    assert "À l'étude" in entries[0].get_text() and "En cours" in entries[1].get_text()
    assert [p["aria-valuenow"] for p in page.select(".consultation-timeline .progress")] == [
        "20", "60"]
    links = [a["href"] for a in page.select(".consultation-timeline a")]
    assert links == ["https://www.grandest.fr/deliberation"]  # never a javascript: link
    assert "Ce qui a été fait des résultats" in text
    assert "du 3 mars 2025 au " in text


def test_open_consultation_announces_results_later(app, consultations):
    page = _page(app, f"/consultations/{consultations['open']}")
    assert "Les résultats seront publiés après la clôture" in page.get_text(" ")
    assert not page.select("canvas")


def test_hidden_consultations_are_not_found(app, consultations):
    for name in ("brouillon", "question-en-attente", "question-refusee"):
        _page(app, f"/consultations/{name}", status=404)


def test_transparency_lists_every_public_consultation_with_its_followup(app, consultations):
    page = _page(app, "/consultations/transparence")
    rows = {tr["data-consultation"]: tr for tr in page.select("tr[data-consultation]")}
    assert set(rows) == {consultations["published"], consultations["open"], consultations["closed"]}
    published = _text(rows[consultations["published"]])
    assert "publiée" in _text(rows[consultations["published"]].select_one(".consultation-status"))
    assert "3 000 participants" in published and "Entrées : 2" in published
    assert "En cours (60 %)" in published
    assert "Aucun suivi pour l'instant" in rows[consultations["closed"]].get_text(" ")


def test_header_links_to_the_consultations(app, consultations):
    page = _page(app, "/dataset/")
    link = page.select_one("header a[href='/consultations']")
    assert link.get_text(strip=True) == "Consultations"


def test_no_respondent_key_or_answer_id_in_any_page(app, consultations):
    keys = {k for a in synthetic_answers.population(3000) for k in (a.answer_key, a.respondent_key)}
    for url in ("/consultations", "/consultations/transparence",
                f"/consultations/{consultations['published']}"):
        body = app.get(url).body
        tokens = set(re.findall(r"[0-9a-f]{32}", body))
        assert not tokens & keys, url


def test_pages_speak_french_by_default(app, consultations):
    page = _page(app, f"/consultations/{consultations['published']}")
    assert page.html["lang"] == "fr"
    text = _text(page)
    for french in ("Réponses possibles", "Résultats par département", "Résultats par tranche d'âge",
                   "Résultats par sexe", "Tableau de données", "Méthodologie", "Données ouvertes",
                   "Proposée par"):
        assert french in text, french
    english = _page(app, f"/en/consultations/{consultations['published']}")
    titles = [_text(h) for h in english.select("figure.consultation-chart figcaption")]
    assert titles == ["Overall results", "Results by department", "Results by age band",
                      "Results by sex"]
