from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.config_declarations
class GrandEstHarvestPlugin(p.SingletonPlugin, DefaultTranslation):
    """Shared options, translations and legacy URL redirects of the portal's harvesters.

    Each harvester is a plugin of its own (``legacy_alsace_harvester``, …).
    """

    p.implements(p.ITranslation)
