"""Indexes for cross-source deduplication (dedup.py): identifier, landing page, remote id.

Hash indexes: equality is all the lookup needs, and a hash index takes values of any
length (a B-tree refuses entries over about 2.7 kB, which would make such a dataset
impossible to save).

Revision ID: 5d0c1e7a2b94
Revises:
Create Date: 2026-11-26 14:00:00

"""

from alembic import op

revision = "5d0c1e7a2b94"
down_revision = None
branch_labels = None
depends_on = None

INDEXES = {
    "grandest_harvest_package_identifier_idx": "(extras ->> 'identifier')",
    "grandest_harvest_package_remote_url_idx": "(extras ->> 'remote_url')",
    "grandest_harvest_package_remote_id_idx": "(extras ->> 'remote_id')",
    "grandest_harvest_package_url_idx": "url",
}


def upgrade():
    for name, expression in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON package USING hash ({expression})")


def downgrade():
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
