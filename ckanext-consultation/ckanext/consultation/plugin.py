from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.consultation import (
    log_redaction,
    model,  # noqa: F401  (the tables, for migrations and tests)
)


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
class ConsultationPlugin(p.SingletonPlugin, DefaultTranslation):
    """Citizen consultations: private answers in, anonymised results out as datasets."""

    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "consultation")
        # CKAN's API logs request bodies: answers and respondent keys must not reach logs.
        log_redaction.install()
