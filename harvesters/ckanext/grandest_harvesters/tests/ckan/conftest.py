"""Fixtures of the partner CKAN harvester's tests: a generated portal and the messages of
the job reports."""

from __future__ import annotations

from collections.abc import Callable

import ckan.plugins.toolkit as tk
import pytest

from ckanext.grandest_harvesters.peers import ckan as fixture
from ckanext.grandest_harvesters.peers.server import PeerServer


@pytest.fixture
def message(with_request_context) -> Callable[..., str]:
    """A report message as the harvester writes it, in the portal's language (the test
    runs in a request context, as harvest jobs and previews do; API calls of the test
    client need none around them)."""

    def translated(msgid: str, **values: object) -> str:
        return tk._(msgid).format(**values)

    return translated


@pytest.fixture
def portal():
    """A partner CKAN portal of 30 generated datasets, one without a title;
    ``portal.datasets`` is what it serves (replace its content to change the portal)."""
    datasets = fixture.generate_catalogue(30, seed=6)
    with PeerServer(fixture.ckan_routes(datasets, api_key="cle-secrete")) as peer:
        peer.datasets = datasets
        yield peer
