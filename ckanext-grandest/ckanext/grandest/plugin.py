from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.grandest import search

LICENCES = Path(__file__).parent / "vocabularies" / "licences.json"


@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.cli
@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
class GrandEstPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ITranslation)

    # IConfigurer

    def update_config(self, config_: tk.CKANConfig) -> None:
        tk.add_template_directory(config_, "templates")
        tk.add_resource("assets", "grandest")
        # The French licence list (data.gouv.fr ids) ships with the plugin.
        if not config_.get("licenses_group_url"):
            config_["licenses_group_url"] = LICENCES.as_uri()

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return search.dataset_facets(facets_dict)

    # IPackageController

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.add_regional_fields(search.add_folded_text(pkg_dict))

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        return search.label_facets(search_results)

    # IOrganizationController (IPackageController.edit shares the name: packages too)

    def edit(self, entity: Any) -> None:
        # The publisher type is indexed with every dataset of the organisation.
        if getattr(entity, "is_organization", False) and search.stale_body_type(
            entity.id, entity.extras.get("body_type")
        ):
            tk.enqueue_job(search.reindex_organization, [entity.id],
                           title=f"grandest: re-index the datasets of {entity.name}")
