from __future__ import annotations

from ckanext.consultation.tests.publication.conftest import (  # noqa: F401
    clean_datastore_tables,
)
