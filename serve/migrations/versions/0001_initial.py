"""Tickets, follow-up messages and agents' corrections.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from serve.store import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("external_id", sa.String(200), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("channel", sa.String(50), nullable=True),
        sa.Column("customer", sa.String(200), nullable=True),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("severity_rank", sa.Integer, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("signals", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_tickets_external_id", "tickets", ["external_id"], unique=True)
    op.create_index("ix_tickets_severity", "tickets", ["severity"])
    op.create_index("ix_tickets_severity_rank", "tickets", ["severity_rank"])
    op.create_index("ix_tickets_status", "tickets", ["status"])
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_messages_ticket_id", "messages", ["ticket_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("ticket_id", sa.Integer, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("model_version", sa.String(40), nullable=True),
        sa.Column("agent", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_corrections_target", "corrections", ["target"])
    op.create_index("ix_corrections_ticket_id", "corrections", ["ticket_id"])
    op.create_index("ix_corrections_created_at", "corrections", ["created_at"])


def downgrade() -> None:
    op.drop_table("corrections")
    op.drop_table("messages")
    op.drop_table("tickets")
