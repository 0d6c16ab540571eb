"""Local HTTP servers that play the remote peers of the harvesters (tests, bench, demo).

- :mod:`.server`: the reusable threaded server, its routes and its faults;
- :mod:`.legacy_alsace`: a generated legacy Open Data Alsace (MGDIS OData) catalogue;
- :mod:`.opendatasoft`: a generated Opendatasoft Explore v2.1 catalogue;
- :mod:`.ckan`: a generated partner CKAN portal (action API; DKAN's flavour too);
- :mod:`.csw`: a generated CSW 2.0.2 catalogue of ISO 19139 records (GeoNetwork-like);
- :mod:`.dcat`: a generated DCAT-AP catalogue, Hydra-paged, in Turtle, RDF/XML or JSON-LD;
- :mod:`.corpus`: the real payloads of ``../shared/corpus`` at their origin-like paths.

``python -m ckanext.grandest_harvesters.peers --port 8701`` serves them all (the demo).
Standard library only: nothing here imports CKAN.
"""

from __future__ import annotations

from ckanext.grandest_harvesters.peers.server import (
    Fault,
    PeerRequest,
    PeerServer,
    Route,
    mount,
)

__all__ = ["Fault", "PeerRequest", "PeerServer", "Route", "mount"]
