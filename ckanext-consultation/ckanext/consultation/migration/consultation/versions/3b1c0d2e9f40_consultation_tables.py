"""Consultation tables: consultations, questions, private answers, follow-up, DP ledger.

Revision ID: 3b1c0d2e9f40
Revises:
Create Date: 2026-11-26 13:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "3b1c0d2e9f40"
down_revision = None
branch_labels = None
depends_on = None

NOT_PROVIDED = "non renseigné"


def _created():
    return sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now())


def upgrade():
    op.create_table(
        "consultation",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("theme", sa.Text),
        sa.Column("territory", sa.Text, nullable=False, server_default="region:44"),
        sa.Column("opens_on", sa.Date),
        sa.Column("closes_on", sa.Date),
        sa.Column("origin", sa.Text, nullable=False, server_default="region"),
        sa.Column("status", sa.Text, nullable=False, server_default="draft"),
        sa.Column("author_id", sa.Text, sa.ForeignKey("user.id")),
        sa.Column("author_public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("moderated_by", sa.Text, sa.ForeignKey("user.id")),
        sa.Column("moderated_at", sa.DateTime),
        sa.Column("moderation_reason", sa.Text),
        sa.Column("privacy_mode", sa.Text, nullable=False, server_default="suppression"),
        sa.Column("erasures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("package_id", sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL")),
        sa.Column("published_at", sa.DateTime),
        sa.Column("publication_error", sa.Text),
        _created(),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("origin IN ('region', 'referent', 'citizen')",
                           name="consultation_origin"),
        sa.CheckConstraint("status IN ('submitted', 'rejected', 'draft', 'open', 'closed', "
                           "'published')", name="consultation_status"),
        sa.CheckConstraint("privacy_mode IN ('suppression', 'differential_privacy')",
                           name="consultation_privacy_mode"),
    )
    op.create_index("consultation_status_idx", "consultation", ["status"])

    op.create_table(
        "consultation_question",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("consultation_id", sa.Text,
                  sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("options", JSONB, nullable=False),
        sa.UniqueConstraint("consultation_id", "position"),
    )

    op.create_table(
        "consultation_answer",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Text,
                  sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_id", sa.Text,
                  sa.ForeignKey("consultation_question.id", ondelete="CASCADE"), nullable=False),
        sa.Column("answer_key", sa.Text, nullable=False),
        sa.Column("respondent_key", sa.Text, nullable=False),
        sa.Column("option", sa.Text, nullable=False),
        sa.Column("age_band", sa.Text, nullable=False, server_default=NOT_PROVIDED),
        sa.Column("sex", sa.Text, nullable=False, server_default=NOT_PROVIDED),
        sa.Column("departement", sa.Text, nullable=False, server_default=NOT_PROVIDED),
        sa.Column("commune", sa.Text, nullable=False, server_default=NOT_PROVIDED),
        sa.Column("received", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("consultation_id", "answer_key"),
        sa.UniqueConstraint("question_id", "respondent_key"),
    )

    op.create_table(
        "consultation_followup",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("consultation_id", sa.Text,
                  sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False, server_default="0"),
        sa.Column("decision", sa.Text, nullable=False, server_default=""),
        sa.Column("links", JSONB, nullable=False, server_default="[]"),
        sa.Column("author_id", sa.Text, sa.ForeignKey("user.id")),
        _created(),
        sa.CheckConstraint("status IN ('announced', 'under_study', 'in_progress', 'done', "
                           "'abandoned')", name="consultation_followup_status"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="consultation_followup_progress"),
    )
    op.create_index("consultation_followup_consultation_idx", "consultation_followup",
                    ["consultation_id", "date"])

    op.create_table(
        "consultation_dp_ledger",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Text,
                  sa.ForeignKey("consultation.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("question_id", sa.Text, nullable=False),
        sa.Column("table_name", sa.Text, nullable=False),
        sa.Column("epsilon", sa.Float, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        _created(),
    )
    op.create_index("consultation_dp_ledger_year_idx", "consultation_dp_ledger", ["year"])

    op.create_table(
        "consultation_dp_noise",
        sa.Column("question_id", sa.Text,
                  sa.ForeignKey("consultation_question.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("mechanism", sa.Text, nullable=False),
        sa.Column("epsilon", sa.Float, nullable=False),
        sa.Column("grid_digest", sa.Text, nullable=False),
        sa.Column("noise", JSONB, nullable=False),
        _created(),
    )

    op.create_table(
        "consultation_release",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("consultation_id", sa.Text,
                  sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("tables", JSONB, nullable=False),
        _created(),
    )


def downgrade():
    for table in ("consultation_release", "consultation_dp_noise", "consultation_dp_ledger",
                  "consultation_followup", "consultation_answer", "consultation_question",
                  "consultation"):
        op.drop_table(table)
