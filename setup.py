"""One distribution for the Open Data Grand Est portal's CKAN extensions.

Three source folders share the ``ckanext`` namespace (PEP 420, no ``__init__``):
``ckanext-grandest/`` (plugin ``grandest``), ``ckanext-consultation/`` (plugin
``consultation``) and ``harvesters/`` (the harvester plugins). The scheming schemas in
``schemas/`` ship as the ``ckanext.grandest.schemas`` package data.
"""

from setuptools import find_namespace_packages, setup

SOURCES = {
    "ckanext.grandest": "ckanext-grandest/ckanext/grandest",
    "ckanext.consultation": "ckanext-consultation/ckanext/consultation",
    "ckanext.grandest_harvesters": "harvesters/ckanext/grandest_harvesters",
}


def _packages() -> tuple[list[str], dict[str, str]]:
    packages, package_dir = [], {}
    for name, folder in {**SOURCES, "ckanext.grandest.schemas": "schemas"}.items():
        packages.append(name)
        package_dir[name] = folder
        for sub in find_namespace_packages(folder, exclude=["*__pycache__*"]):
            packages.append(f"{name}.{sub}")
            package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"
    return packages, package_dir


packages, package_dir = _packages()

setup(
    name="ckanext-opendata-grandest",
    version="0.1.0",
    description="Open Data Grand Est: CKAN extensions of the Région Grand Est open-data portal",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=packages,
    package_dir=package_dir,
    include_package_data=True,
    package_data={"": ["*.yaml", "*.yml", "*.json", "*.html", "*.js", "*.css", "*.po", "*.mo",
                       "*.ttl", "*.csv", "*.ini", "*.txt", "*.xml", "*.mako", "webassets.yml",
                       "LICENSE.md"]},
    entry_points={
        "ckan.plugins": [
            "grandest = ckanext.grandest.plugin:GrandEstPlugin",
            "consultation = ckanext.consultation.plugin:ConsultationPlugin",
            "grandest_harvest = ckanext.grandest_harvesters.plugin:GrandEstHarvestPlugin",
            "legacy_alsace_harvester = "
            "ckanext.grandest_harvesters.legacy_alsace:LegacyAlsaceHarvester",
            "opendatasoft_harvester = "
            "ckanext.grandest_harvesters.opendatasoft:OpendatasoftHarvester",
            "grandest_csw_harvester = ckanext.grandest_harvesters.csw:CSWHarvester",
            "grandest_dcat_harvester = ckanext.grandest_harvesters.dcat:GrandEstDcatHarvester",
            "grandest_ckan_harvester = ckanext.grandest_harvesters.ckan:GrandEstCKANHarvester",
        ],
        "ckan.rdf.profiles": [
            "grandest_dcat_ap_3 = ckanext.grandest.profiles:GrandEstDCATAP3Profile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
)
