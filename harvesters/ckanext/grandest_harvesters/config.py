"""Typed accessors of the harvesters' options (declared in config_declaration.yaml)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def allowed_hosts() -> frozenset[str]:
    return frozenset(h.lower() for h in tk.config["ckanext.grandest_harvesters.allowed_hosts"])


def timeout() -> int:
    return tk.config["ckanext.grandest_harvesters.timeout"]


def max_bytes() -> int:
    return tk.config["ckanext.grandest_harvesters.max_bytes"]


def retries() -> int:
    return tk.config["ckanext.grandest_harvesters.retries"]


def retry_backoff() -> float:
    return float(tk.config["ckanext.grandest_harvesters.retry_backoff"])


def user_agent() -> str:
    return tk.config["ckanext.grandest_harvesters.user_agent"]


def csw_max_pages() -> int:
    return tk.config["ckanext.grandest_harvesters.csw.max_pages"]


def dcat_max_pages() -> int:
    return tk.config["ckanext.grandest_harvesters.dcat.max_pages"]


def index_batch_size() -> int:
    return int(tk.config["ckanext.grandest_harvesters.index_batch_size"])


def index_max_delay() -> float:
    return float(tk.config["ckanext.grandest_harvesters.index_max_delay"])
