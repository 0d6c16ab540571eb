"""The partner DCAT harvester (type grandest_dcat), against local peers."""
