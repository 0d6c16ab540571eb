"""Serve every peer from one process, for the demo (``make run`` starts it)::

    python -m ckanext.grandest_harvesters.peers --port 8701

- ``/legacy/…``: the legacy Open Data Alsace catalogue (2,000 generated entries);
- ``/ods/…``: the generated Opendatasoft Explore v2.1 portal;
- ``/ckan/…``: the generated partner CKAN portal (action API);
- ``/csw/…``: the generated CSW 2.0.2 catalogue of ISO 19139 records (GeoNetwork-like);
- ``/dcat/catalog.ttl``: the generated DCAT-AP catalogue (Turtle, Hydra pages);
- ``/corpus/<site>/…``: the real payloads of ``../shared/corpus`` (Hydra links rebased);
- ``/``: a JSON index of the above.

Stops cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from ckanext.grandest_harvesters.peers import (
    ckan,
    corpus,
    csw,
    dcat,
    legacy_alsace,
    opendatasoft,
)
from ckanext.grandest_harvesters.peers.server import PeerRequest, PeerServer, Response, Route, mount

LEGACY_PREFIX = "/legacy"
ODS_PREFIX = "/ods"
CKAN_PREFIX = "/ckan"
CSW_PREFIX = "/csw"
DCAT_PREFIX = "/dcat"
DCAT_CATALOGUE = "/catalog.ttl"
CORPUS_PREFIX = "/corpus"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ckanext.grandest_harvesters.peers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701, help="0 picks a free port")
    parser.add_argument("--legacy-entries", type=int, default=2000)
    parser.add_argument("--legacy-page-size", type=int, default=None,
                        help="serve the legacy catalogue in pages with __next links")
    parser.add_argument("--ods-datasets", type=int, default=1200)
    parser.add_argument("--ckan-datasets", type=int, default=300)
    parser.add_argument("--csw-records", type=int, default=48)
    parser.add_argument("--dcat-datasets", type=int, default=120)
    parser.add_argument("--seed", type=int, default=None, help="seed of the generators")
    parser.add_argument("--corpus-dir", type=Path, default=None,
                        help=f"default: {corpus.default_corpus_dir()}")
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(message)s", stream=sys.stderr)
    seeds = {} if args.seed is None else {"seed": args.seed}
    entries = legacy_alsace.generate_catalogue(args.legacy_entries, **seeds)
    datasets = opendatasoft.generate_catalogue(args.ods_datasets, **seeds)
    packages = ckan.generate_catalogue(args.ckan_datasets, **seeds)
    records = csw.generate_catalogue(args.csw_records, **seeds)
    dcat_datasets = dcat.generate_catalogue(args.dcat_datasets, **seeds)
    try:
        corpus_routes = corpus.corpus_routes(args.corpus_dir, rebase=True)
    except FileNotFoundError as e:
        print(f"peers: {e}", file=sys.stderr)
        return 2

    index: dict[str, object] = {}

    def home(request: PeerRequest) -> Response:
        body = {key: request.base_url + value if isinstance(value, str)
                else [request.base_url + v for v in value] for key, value in index.items()}
        return (200, {"Content-Type": "application/json; charset=utf-8"},
                json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8"))

    legacy_catalogue = f"{LEGACY_PREFIX}/dataserver/CRAL/catalog/Source?$format=json"
    index.update({
        "legacy_alsace": legacy_catalogue,
        "opendatasoft": f"{ODS_PREFIX}{opendatasoft.API_PREFIX}/catalog/datasets",
        "ckan": f"{CKAN_PREFIX}{ckan.API_PREFIX}/package_search",
        "csw": f"{CSW_PREFIX}{csw.CSW_PATH}",
        "dcat": f"{DCAT_PREFIX}{DCAT_CATALOGUE}",
        "corpus": [CORPUS_PREFIX + r.url for r in corpus.CORPUS_ROUTES],
    })
    routes = [
        Route("/", home),
        *mount(LEGACY_PREFIX, legacy_alsace.legacy_alsace_routes(
            entries, page_size=args.legacy_page_size)),
        *mount(ODS_PREFIX, opendatasoft.opendatasoft_routes(datasets)),
        *mount(CKAN_PREFIX, ckan.ckan_routes(packages)),
        *mount(CSW_PREFIX, csw.csw_routes(records)),
        *mount(DCAT_PREFIX, dcat.dcat_routes(dcat_datasets, path=DCAT_CATALOGUE, page_size=50)),
        *mount(CORPUS_PREFIX, corpus_routes),
    ]

    def announce(peer: PeerServer) -> None:
        print(f"Peers serving on {peer.url}/ (index), Ctrl-C or SIGTERM to stop", flush=True)
        print(f"  legacy Open Data Alsace ({len(entries)} entries): "
              f"{peer.url}{legacy_catalogue}", flush=True)
        print(f"  Opendatasoft Explore v2.1 ({len(datasets)} datasets): "
              f"{peer.url}{ODS_PREFIX}{opendatasoft.API_PREFIX}/", flush=True)
        print(f"  partner CKAN ({len(packages)} datasets): {peer.url}{CKAN_PREFIX}/",
              flush=True)
        print(f"  CSW / ISO 19139 ({len(records)} records): {peer.url}{CSW_PREFIX}{csw.CSW_PATH}",
              flush=True)
        print(f"  DCAT-AP, Turtle with Hydra pages ({len(dcat_datasets)} datasets): "
              f"{peer.url}{DCAT_PREFIX}{DCAT_CATALOGUE}", flush=True)
        sites = sorted({r.site for r in corpus.CORPUS_ROUTES})
        print(f"  corpus ({len(corpus.CORPUS_ROUTES)} routes): "
              + ", ".join(f"{peer.url}{CORPUS_PREFIX}{s}/" for s in sites), flush=True)

    try:
        PeerServer(routes, host=args.host, port=args.port).serve_until_signal(announce)
    except OSError as e:
        print(f"peers: cannot serve on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    print("Peers stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
