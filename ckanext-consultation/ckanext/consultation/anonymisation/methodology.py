"""The methodology note published with every release, in French.

It says what protection was applied and how much it cost (cells suppressed, epsilon),
so that users can read the tables correctly and the protection can be checked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Mode = Literal["suppression", "differential_privacy"]


def _number(value: float) -> str:
    """French decimal notation: 0.9 -> "0,9"."""
    return f"{value:g}".replace(".", ",")


@dataclass(frozen=True)
class Methodology:
    """What was applied to one release, and its outcome."""

    mode: Mode
    min_cell_count: int
    protection_level: int
    homogeneity_max_group: int
    homogeneity_share: float
    min_commune_respondents: int
    max_crossed_variables: int
    percentage_decimals: int
    cells_published: int
    cells_suppressed_frequency: int = 0
    cells_suppressed_homogeneity: int = 0
    cells_suppressed_secondary: int = 0
    communes_shown: int | None = None
    epsilon: float | None = None
    mechanism: str | None = None

    @property
    def cells_suppressed(self) -> int:
        return (
            self.cells_suppressed_frequency
            + self.cells_suppressed_homogeneity
            + self.cells_suppressed_secondary
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "texte": self.text()}

    def text(self) -> str:
        intro = (
            "Ces résultats sont publiés uniquement sous forme de tableaux agrégés : aucune "
            "réponse individuelle, aucun identifiant, aucune réponse libre ni aucun horodatage "
            "n'est diffusé. Les caractéristiques des répondants sont celles déclarées au moment "
            "de la réponse ; « non renseigné » est une catégorie à part entière."
        )
        crossings = (
            f"Croisements : au plus {self.max_crossed_variables} variables démographiques "
            "(tranche d'âge, sexe) sont croisées avec la réponse, au niveau départemental ou "
            "régional ; au niveau communal seule la réponse est publiée."
        )
        if self.mode == "differential_privacy":
            return "\n".join(
                [
                    intro,
                    "Confidentialité différentielle : un bruit aléatoire (loi de Laplace "
                    "discrète) a été ajouté à chaque case de la grille publique des catégories, "
                    "cases vides comprises, avec un budget de confidentialité "
                    f"ε = {_number(self.epsilon or 0)} pour cette question. Le bruit a été tiré "
                    "une seule fois et conservé : toute nouvelle exportation est identique.",
                    "Les effectifs ont ensuite été rendus entiers, positifs et cohérents avec "
                    "les totaux, du plus agrégé au plus détaillé (méthode des plus forts "
                    "restes) ; ils sont donc approchés. Les communes ne sont pas détaillées "
                    "dans ce mode.",
                    crossings,
                    self._percentages(),
                ]
            )
        return "\n".join(
            [
                intro,
                f"Règle de fréquence : toute case, totaux compris, comptant de 1 à "
                f"{self.min_cell_count - 1} répondants est masquée (statut « secret »). Les "
                "zéros sont publiés.",
                f"Homogénéité : pour un groupe de moins de {self.homogeneity_max_group} "
                f"répondants dont au moins {_number(self.homogeneity_share * 100)} % ont donné "
                "la même réponse, seul l'effectif total du groupe est publié.",
                "Secret secondaire : d'autres cases sont masquées pour qu'aucune case secrète ne "
                "puisse être recalculée à partir des totaux, des marges et des autres tableaux "
                "de la consultation. Un audit par programmation linéaire vérifie que chaque "
                f"case masquée par les règles précédentes peut prendre au moins "
                f"{self.protection_level} valeurs compatibles avec tout ce qui est publié.",
                f"Géographie : une commune n'est détaillée qu'à partir de "
                f"{self.min_commune_respondents} répondants ; les autres sont regroupées dans "
                "« autres communes » de leur département.",
                crossings,
                self._percentages(),
                f"Bilan : {self.cells_published} cases publiées ; "
                f"{self.cells_suppressed_frequency} masquées par la règle de fréquence, "
                f"{self.cells_suppressed_homogeneity} par la règle d'homogénéité, "
                f"{self.cells_suppressed_secondary} par le secret secondaire"
                + (
                    f" ; {self.communes_shown} communes détaillées."
                    if self.communes_shown is not None
                    else "."
                ),
            ]
        )

    def _percentages(self) -> str:
        unit = (
            "à l'unité"
            if self.percentage_decimals == 0
            else (f"à {self.percentage_decimals} décimale(s)")
        )
        return (
            f"Pourcentages : calculés sur les effectifs publiés, arrondis {unit}, et masqués "
            "avec leur effectif."
        )
