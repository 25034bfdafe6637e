"""The database tables (SQLAlchemy Core). Alembic migrations in db/migrations build them.

Timestamps are timezone-aware UTC. Keys for deduplication, each within one source:
``articles.guid_key`` (source + GUID) and (``source``, ``canonical_url``) are each unique, so
the same article seen again from its source updates nothing, and another source's copy of it
is a row of its own. ``articles.cluster_id`` links the copies of one story carried by several
outlets (the id of the first article seen).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC; always gives back an aware datetime (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


metadata = MetaData()

sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("official", Boolean, nullable=False, default=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),            # sha256 of the last body: an unchanged body skips parsing
    Column("final_url", Text),                  # after redirects, when it differs
    Column("last_polled_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("last_status", String(40)),
    Column("last_error", Text),
    Column("http_status", Integer),
    Column("error_count", Integer, nullable=False, default=0),
    Column("next_check_at", UTCDateTime()),
    Column("disabled_reason", Text),
    Column("muted", Boolean, nullable=False, default=False),
    Column("removed_at", UTCDateTime()),        # gone from sources.toml: kept for its history, not listed
)

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(200), nullable=False, index=True),
    Column("guid", Text),
    Column("guid_key", Text, unique=True),      # source + "\x1f" + guid
    Column("url", Text),
    Column("canonical_url", Text, index=True),     # unique per source (uq_articles_source_canonical_url)
    Column("doc", Text),                        # file name for ingested / seed documents
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("language", String(16)),
    Column("official", Boolean, nullable=False, default=False),
    Column("published_at", UTCDateTime(), index=True),
    Column("fetched_at", UTCDateTime(), nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("simhash", BigInteger, nullable=False, default=0),
    Column("cluster_id", Integer, index=True),
    Column("relevance", JSON),
)
Index("ix_articles_sort", articles.c.published_at, articles.c.id)
Index("uq_articles_source_canonical_url", articles.c.source, articles.c.canonical_url, unique=True)

commitments = Table(
    "commitments", metadata,
    Column("id", String(120), primary_key=True),
    Column("title", Text, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("deadline", Date),
    Column("since", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("origin", String(20), nullable=False, default="registry"),   # registry | minted
    Column("registry_status", String(20), nullable=False),              # status before any article
    Column("registry_deadline", Date),
    Column("last_evidence", Text),
    Column("last_changed_at", UTCDateTime()),
    Column("state", JSON),                      # the differ's CommitmentState, serialised
    Column("initial_state", JSON),              # its state before any article (what replay starts from)
)

changes = Table(
    "changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("commitment_id", String(120), ForeignKey("commitments.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False, index=True),
    Column("from_status", String(20)),
    Column("to_status", String(20)),
    Column("evidence", Text, nullable=False, default=""),
    Column("article_id", Integer, ForeignKey("articles.id")),
    Column("doc", Text),
    Column("article_url", Text),
    Column("published_at", UTCDateTime(), index=True),
    Column("detected_at", UTCDateTime(), nullable=False),
    Column("confirmed", Boolean, nullable=False, default=True),
    Column("outlets", JSON, nullable=False),
    Column("deadline", Date),
    Column("review_status", String(20), nullable=False, default="pending"),  # pending|confirmed|rejected|corrected
)

Index("ix_changes_commitment_doc", changes.c.commitment_id, changes.c.doc)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("modality", String(30)),
    Column("action", String(60)),
    Column("negated", Boolean, nullable=False, default=False),
    Column("commitment_id", String(120)),
)

meta = Table(
    "watcher_meta", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text),
)

# ---- the alert outbox (watcher.notify) -----------------------------------------------------
# One row per (change, channel) the change owes, written in the change's own transaction.
# state: pending → sending (leased) → sent | failed; a digest channel's rows wait as
# queued → digested (carried by a digest row, change_id NULL, kind "digest") → sent | failed.
alerts = Table(
    "alerts", metadata,
    Column("id", String(64), primary_key=True),                 # the stable alert id (Message-ID, header)
    Column("change_id", Integer, ForeignKey("changes.id"), index=True),
    Column("channel", String(100), nullable=False),
    Column("kind", String(20), nullable=False, default="change"),   # change | digest
    Column("state", String(20), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_until", UTCDateTime()),
    Column("lease_owner", String(200)),
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    Column("digest_id", String(64), index=True),                # for a digested row: the digest carrying it
    UniqueConstraint("change_id", "channel", name="uq_alerts_change_channel"),
)
Index("ix_alerts_queue", alerts.c.channel, alerts.c.state, alerts.c.created_at)

# ---- analyst reviews (watcher.web) ---------------------------------------------------------
# One row per decision an analyst took on a detected change: the history of who decided
# what and when. The change's review_status and the commitment's status follow the latest
# decision (watcher.store.web_queries.apply_review). A replay rebuilds the changes: the
# history stays (change_id set NULL), with the commitment and kind it was about.
reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True),
    Column("change_id", Integer, ForeignKey("changes.id", ondelete="SET NULL"), index=True),
    Column("commitment_id", String(120), nullable=False, index=True),
    Column("decision", String(20), nullable=False),             # confirm | reject | correct
    Column("old_kind", String(20), nullable=False),
    Column("new_kind", String(20)),                             # for correct
    Column("old_status", String(20)),                           # the change's to_status before
    Column("new_status", String(20)),                           # the change's to_status after
    Column("comment", Text, nullable=False, default=""),
    Column("reviewer", String(200), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
)
