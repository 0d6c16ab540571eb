"""The dataset page and form show the regional fields in French."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action


def test_dataset_page_links_themes_and_territories_to_filtered_search(app, regional_dataset):
    page = BeautifulSoup(app.get(f"/dataset/{regional_dataset['name']}").body, "html.parser")
    text = page.get_text(" ")
    for label in ("Thèmes", "Couverture territoriale", "Fréquence de mise à jour",
                  "Environnement", "Transports", "annuel", "Strasbourg (commune, 67482)",
                  "Haut-Rhin (département, 68)", "Service SIG"):
        assert label in text, label
    links = {a.get_text(strip=True): a["href"] for a in page.select(".grandest-territories a")}
    assert links["Strasbourg (commune, 67482)"] == "/dataset/?vocab_territory_area=commune:67482"
    theme_links = [a["href"] for a in page.select(".grandest-themes a")]
    assert "/dataset/?vocab_theme=ENVI" in theme_links


def test_create_form_offers_vocabularies_and_the_territory_picker(app, epci):
    user = factories.User()
    call_action("organization_member_create", id=epci["id"], username=user["name"],
                role="editor")
    response = app.get("/dataset/new", headers={"Authorization": factories.APIToken(
        user=user["name"])["token"]})
    page = BeautifulSoup(response.body, "html.parser")
    themes = [o["value"] for o in page.select("#field-theme option")]
    assert len(themes) == 14 and "ENVI" in themes
    assert "Environnement" in page.select_one("#field-theme").get_text()
    frequencies = [o["value"] for o in page.select("#field-frequency option")]
    assert {"", "ANNUAL", "DAILY", "UPDATE_CONT"} <= set(frequencies)
    picker = page.select_one("#field-territorial_coverage")
    assert picker["data-module"] == "grandest-territories"
    assert picker["data-module-source"].endswith("/api/3/action/grandest_territory_autocomplete")
    licences = {o["value"] for o in page.select("#field-license_id option")}
    assert {"lov2", "fr-lo", "odc-odbl", "cc-by"} <= licences


@pytest.mark.usefixtures("clean_db")
def test_territory_autocomplete_action_is_public_and_accent_insensitive(app):
    result = app.get("/api/3/action/grandest_territory_autocomplete",
                     query_string={"q": "saint die"}).json["result"]
    assert result[0]["key"] == "commune:88413"
    assert result[0]["label"] == "Saint-Dié-des-Vosges (commune, 88413)"
    result = app.get("/api/3/action/grandest_territory_autocomplete",
                     query_string={"q": "67"}).json["result"]
    assert result[0]["key"] == "departement:67"
    response = app.get("/api/3/action/grandest_territory_autocomplete")
    assert response.status_code == 409
