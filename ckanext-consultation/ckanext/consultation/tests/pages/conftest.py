"""Consultations for the page tests, made once per module through the real path: one
published (3,000 synthetic answers, two follow-up entries), one open, one closed, and
three the public must not see (a draft, a citizen's question awaiting moderation, a
rejected one)."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import factories

from ckanext.consultation import synthetic_answers
from ckanext.consultation.model import Consultation, Release
from ckanext.consultation.tests import publishing

QUESTION = "Faut-il étendre les horaires des TER le week-end ?"
PUBLISHED = "horaires-ter-week-end"


@pytest.fixture(scope="module")
def consultations(clean_db_for_module):
    publishing.ensure_organization()
    publishing.open_consultation(PUBLISHED, QUESTION, theme="TRAN",
                                 opens_on="2025-03-03", closes_on="2025-12-31")
    publishing.import_answers(PUBLISHED, synthetic_answers.population(3000))
    publishing.close_and_publish(PUBLISHED)
    for date, status, progress, decision, links in (
        ("2025-04-02", "under_study", 20, "La Région étudie trois lignes pilotes.",
         [{"title": "Délibération", "url": "https://www.grandest.fr/deliberation"}]),
        ("2025-09-01", "in_progress", 60, "Deux trains de plus le samedi soir sur Metz-Nancy.",
         []),
    ):
        publishing.call("consultation_followup_create", consultation_id=PUBLISHED, date=date,
                        status=status, progress=progress, decision=decision, links=links)

    publishing.open_consultation("velo-dans-les-ter", "Plus de places vélo dans les TER ?",
                                 options=["Oui", "Non"], theme="TRAN")
    publishing.open_consultation("cantines-bio", "Des cantines plus bio dans les lycées ?",
                                 theme="EDUC")
    publishing.call("consultation_close", id="cantines-bio")

    publishing.call("consultation_create", name="brouillon", title="Brouillon interne",
                    questions=[{"text": "Brouillon ?", "options": ["Oui", "Non"]}])
    citizen = factories.User(name="habitant-de-thann")
    context = {"user": citizen["name"]}
    for title in ("Question en attente", "Question refusée"):
        submitted = publishing.tk.get_action("consultation_question_submit")(
            dict(context), {"title": title, "questions": [{"text": title,
                                                           "options": ["Oui", "Non"]}]})
        if title == "Question refusée":
            publishing.call("consultation_moderate", id=submitted["id"], decision="reject",
                            reason="Hors compétence régionale")
    published = model.Session.query(Consultation).filter(Consultation.name == PUBLISHED).one()
    (release,) = model.Session.query(Release).filter(
        Release.consultation_id == published.id).all()
    return {"published": PUBLISHED, "question": release.question_id,
            "release": release.tables, "open": "velo-dans-les-ter", "closed": "cantines-bio",
            "hidden": ["Brouillon interne", "Question en attente", "Question refusée"]}
