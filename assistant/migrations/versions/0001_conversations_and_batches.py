"""Conversations with owner tokens, and batches whose upload and report live in the database.

Databases made before migrations existed already hold the three chat tables (without
``token_hash``); this revision keeps their rows and adds what is missing. Their conversations have
no token, so the API cannot open them; the CLI still can. A batches table of that time (its upload
and report were files beside it) is kept, renamed ``batches_before_0001``, and a new one made.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "chat_conversations" not in existing:
        op.create_table(
            "chat_conversations",
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("programme", sa.Text),
            sa.Column("category", sa.Text),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
            sa.Column("token_hash", sa.String(64)),
        )
    else:
        columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("chat_conversations")}
        if "token_hash" not in columns:
            with op.batch_alter_table("chat_conversations") as table:
                table.add_column(sa.Column("token_hash", sa.String(64)))
    op.create_index("ix_chat_conversations_updated_at", "chat_conversations", ["updated_at"])
    if "chat_versions" not in existing:
        op.create_table(
            "chat_versions",
            sa.Column("conversation_id", sa.String(64),
                      sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("number", sa.Integer, primary_key=True),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
        )
    if "chat_turns" not in existing:
        op.create_table(
            "chat_turns",
            sa.Column("conversation_id", sa.String(64),
                      sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("seq", sa.Integer, primary_key=True),
            sa.Column("id", sa.String(64), nullable=False, unique=True),
            sa.Column("data", sa.Text, nullable=False),
        )
    if "batches" in existing:
        op.rename_table("batches", "batches_before_0001")
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("programme", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("columns", sa.Text),
        sa.Column("upload", sa.LargeBinary),
        sa.Column("report", sa.Text),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("heartbeat_at", sa.Text),
    )
    op.create_index("ix_batches_status", "batches", ["status"])


def downgrade() -> None:
    op.drop_index("ix_batches_status", table_name="batches")
    op.drop_table("batches")
    op.drop_index("ix_chat_conversations_updated_at", table_name="chat_conversations")
    with op.batch_alter_table("chat_conversations") as table:
        table.drop_column("token_hash")
