"""ckanext-dcat RDF profiles of the portal (entry points ``ckan.rdf.profiles``)."""

from ckanext.grandest.profiles.grandest_dcat_ap_3 import GrandEstDCATAP3Profile

__all__ = ["GrandEstDCATAP3Profile"]
