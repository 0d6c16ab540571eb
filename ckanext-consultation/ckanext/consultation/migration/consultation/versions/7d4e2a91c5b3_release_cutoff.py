"""Releases record what they were computed from: the last answer counted, how many
answers, the erasures.

A later release of the same consultation is checked against them (policy rule 6): an
interim release's counts are recomputed from the answers up to its cutoff (fewer than
it counted: answers were erased since), and an erasure since the last release forbids
any republication.

Revision ID: 7d4e2a91c5b3
Revises: 3b1c0d2e9f40
Create Date: 2026-11-26 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7d4e2a91c5b3"
down_revision = "3b1c0d2e9f40"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("consultation_release",
                  sa.Column("last_answer_id", sa.BigInteger, nullable=True))
    op.add_column("consultation_release",
                  sa.Column("answers", sa.BigInteger, nullable=True))
    op.add_column("consultation_release",
                  sa.Column("erasures", sa.Integer, nullable=False, server_default="0"))
    op.create_index("consultation_release_consultation_idx", "consultation_release",
                    ["consultation_id", "question_id"])


def downgrade():
    op.drop_index("consultation_release_consultation_idx", "consultation_release")
    op.drop_column("consultation_release", "erasures")
    op.drop_column("consultation_release", "answers")
    op.drop_column("consultation_release", "last_answer_id")
