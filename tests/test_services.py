"""The services the portal runs on are the real ones, at the versions the project pins."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import redis
import requests
import sqlalchemy as sa
from ckan.tests.helpers import call_action


def test_postgresql_is_a_real_postgresql_15():
    with sa.create_engine(tk.config["sqlalchemy.url"]).connect() as conn:
        version = conn.execute(sa.text("show server_version_num")).scalar()
    assert 150000 <= int(version) < 160000


def test_solr_is_solr_9_serving_ckans_own_schema():
    solr = tk.config["solr_url"]
    info = requests.get(f"{solr}/admin/system", params={"wt": "json"}, timeout=10).json()
    assert info["lucene"]["solr-spec-version"].startswith("9.")
    schema = requests.get(f"{solr}/schema", params={"wt": "json"}, timeout=10).json()["schema"]
    assert schema["name"] == "ckan-2.12"
    assert {"title", "notes", "metadata_modified", "res_format"} <= {
        f["name"] for f in schema["fields"]
    }


def test_redis_is_a_real_redis_with_long_socket_timeout():
    url = tk.config["ckan.redis.url"]
    client = redis.Redis.from_url(url)
    assert client.info("server")["redis_version"]
    # Idle harvest consumers block on Redis; a short socket timeout would kill them.
    assert client.connection_pool.connection_kwargs["socket_timeout"] >= 600


def test_status_show_lists_the_portals_plugins():
    status = call_action("status_show")
    assert status["ckan_version"] == "2.12.0"
    for plugin in ("grandest", "consultation", "scheming_datasets", "scheming_organizations",
                   "harvest", "ckan_harvester", "dcat", "structured_data", "datastore",
                   "activity"):
        assert plugin in status["extensions"]
    assert status["locale_default"] == "fr"
