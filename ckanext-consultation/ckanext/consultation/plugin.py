from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class ConsultationPlugin(p.SingletonPlugin):
    pass
