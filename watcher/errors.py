"""Errors and expected outcomes.

Expected outcomes of talking to the outside world (a 304, a timeout, a body over the
cap, a page that is not a feed) are *values*: an :class:`Outcome` carried on the
result of a stage and stored as the source row's ``last_status``. Exceptions are kept
for what the caller cannot carry on from::

    WatcherError                 base of everything this package raises
    ├── ConfigError              sources.toml / registry / command-line input is bad
    │                            (.problems lists every bad entry, each naming its source)
    ├── StorageError             the database refused (locked, read-only, not a database)
    ├── FetchError               a bug-level failure inside the fetcher (never an HTTP outcome)
    ├── WorkerCrashed            a worker process died while it ran a job (watcher.ingest.workers)
    └── DeliveryError            an alert channel could not be used (bad template, bad address)

Third-party exceptions (sqlalchemy, aiohttp, tomllib) are translated at one boundary
each, with ``raise ... from exc``.
"""

from __future__ import annotations

import enum


class WatcherError(Exception):
    """Base class of every error this package raises."""


class ConfigError(WatcherError):
    """A configuration file or option is wrong. ``problems`` lists every bad entry."""

    def __init__(self, problems: list[str] | str, *, path: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.path = path
        head = f"{path}: " if path else ""
        if len(self.problems) == 1:
            msg = head + self.problems[0]
        else:
            msg = head + f"{len(self.problems)} problems:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(msg)


class StorageError(WatcherError):
    """The database could not do what was asked (locked, read-only, corrupt, unreachable)."""


class FetchError(WatcherError):
    """An unexpected failure inside the fetcher (a bug, not an HTTP outcome)."""


class WorkerCrashed(WatcherError):
    """The worker process running a job died (a crash in a C extension, the out-of-memory killer)."""


class DeliveryError(WatcherError):
    """An alert could not be rendered or sent through a channel."""


class Outcome(enum.StrEnum):
    """What happened to one source on one poll: stored as ``sources.last_status``."""

    OK = "ok"                                # fetched and parsed
    NOT_MODIFIED = "not_modified"            # 304, or the body hash did not change
    CONNECT_ERROR = "connect_error"          # refused, reset before response, DNS failure
    TIMEOUT = "timeout"                      # connect, first byte or whole-body deadline
    TOO_LARGE = "too_large"                  # decompressed body over the cap
    TOO_MANY_REDIRECTS = "too_many_redirects"  # redirect loop or chain over the cap
    FORBIDDEN_ADDRESS = "forbidden_address"  # private/loopback/link-local and not allow-listed
    RATE_LIMITED = "rate_limited"            # 429 (or 503 with Retry-After)
    HTTP_ERROR = "http_error"                # other 4xx/5xx
    GONE = "gone"                            # 410: the source is disabled
    PROTOCOL_ERROR = "protocol_error"        # bad chunking, bad gzip, connection reset mid-body
    EMPTY_BODY = "empty_body"                # 200 with no body
    NOT_A_FEED = "not_a_feed"                # HTML page, random bytes, nothing feed-like
    MALFORMED = "malformed"                  # feed-like but broken beyond recovery
    INTERNAL_ERROR = "internal_error"        # a bug in our handling of this source
    DISABLED = "disabled"                    # too many consecutive errors, or gone

    @property
    def is_error(self) -> bool:
        return self not in (Outcome.OK, Outcome.NOT_MODIFIED)
