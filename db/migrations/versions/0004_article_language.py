"""articles.language filled where it is null (seeded and ingested articles had none)

Each such article gets the language its script shows (Hangul: ko; kana or kanji: ja), else en,
as watcher.content.language decides for new articles; a tag a feed gave (en-US) is kept as it is.

Revision ID: 0004_article_language
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_article_language"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    from watcher.content.language import article_language

    conn = op.get_bind()
    articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("title", sa.Text),
                        sa.column("text", sa.Text), sa.column("language", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(articles.c.id, articles.c.title, articles.c.text)
                            .where(articles.c.language.is_(None), articles.c.id > last)
                            .order_by(articles.c.id).limit(BATCH)).all()
        if not rows:
            break
        updates = [{"b_id": r.id, "b_lang": article_language(None, f"{r.title or ''}\n{(r.text or '')[:20000]}")}
                   for r in rows]
        conn.execute(articles.update().where(articles.c.id == sa.bindparam("b_id"))
                     .values(language=sa.bindparam("b_lang")), updates)
        last = rows[-1].id


def downgrade() -> None:
    pass     # the languages filled in are right; nothing to undo
