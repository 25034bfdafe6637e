"""Documents an analyst adds by hand (``watcher ingest``) and the seed corpus, as Articles."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path

from ..content.language import article_language
from ..content.text import canonical_url, collapse_spaces, content_hash, simhash
from ..errors import ConfigError
from ..store import DB_DIR
from ..types import Article

SEED_DIR = DB_DIR / "seeds"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def read_document(path: str | os.PathLike[str], *, url: str | None = None, title: str | None = None,
                  published: dt.datetime | None = None, source: str = "ingest", official: bool = False,
                  now: dt.datetime | None = None, language: str | None = None) -> Article:
    """A text, HTML or Markdown file → Article. Raises ConfigError naming the file when unreadable.

    ``language`` when given, else the one its script shows (``ko``, ``ja``), else ``en``."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ConfigError([f"{p}: larger than {MAX_DOCUMENT_BYTES} bytes"])
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{p}: cannot read: {exc.strerror or exc}"]) from exc
    if p.suffix.lower() in (".html", ".htm") or raw.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        from ..content.page import extract_article

        ex = extract_article(raw, url=url)
        text, title = ex.text, title or ex.title or p.name
        url = url or ex.canonical_url
    else:
        text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").strip()
        meta, text = front_matter(text)
        text = collapse_spaces(text).strip()
        title = title or meta.get("title") or None
        url = url or meta.get("url") or None
        if published is None and meta.get("date"):
            try:
                published = dt.datetime.fromisoformat(meta["date"][:10]).replace(tzinfo=dt.UTC)
            except ValueError:
                raise ConfigError([f"{p}: front matter: date {meta['date']!r} is not an ISO date"]) from None
        if source == "ingest" and meta.get("outlet"):
            source = meta["outlet"][:200]
        if title is None:
            first, _, rest = text.partition("\n")
            title = first.strip() if first.strip() and len(first) <= 200 and rest.startswith("\n") else p.name
    now = now or dt.datetime.now(dt.UTC)
    return Article(source=source, guid=None, url=url, canonical_url=canonical_url(url) if url else None,
                   title=title or p.name, text=text, published_at=published, doc=p.name, official=official,
                   language=article_language(language, f"{title}\n{text}"),
                   fetched_at=now, content_hash=content_hash(text), simhash=simhash(text))


_META_LINE = re.compile(r"^([A-Za-z][\w-]{0,30}):[ \t]*(.*)$")


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """A header of ``key: value`` lines closed by a ``---`` line (optionally opened by one too), as a
    pasted document often carries (title, date, url, outlet, note): its fields and the body without it.
    Text without such a header comes back whole, so that a note about the document is never read as
    the document."""
    lines = text.split("\n")
    i = 1 if lines and lines[0].strip() == "---" else 0
    meta: dict[str, str] = {}
    while i < len(lines) and i < 40:
        line = lines[i]
        if line.strip() == "---":
            return (meta, "\n".join(lines[i + 1:]).strip()) if meta else ({}, text)
        m = _META_LINE.match(line)
        if m is None:
            return {}, text
        meta[m.group(1).lower()] = m.group(2).strip()
        i += 1
    return {}, text


def seed_articles(now: dt.datetime | None = None) -> list[Article]:
    """The five seed articles shipped in db/seeds, with their titles and dates."""
    index = SEED_DIR / "index.toml"
    try:
        data = tomllib.loads(index.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([f"{index}: {exc}"]) from exc
    out = []
    for s in data.get("seed", []):
        published = dt.datetime.fromisoformat(s["published"]).replace(tzinfo=dt.UTC)
        out.append(read_document(SEED_DIR / s["file"], title=s.get("title"), published=published,
                                 source=s.get("source", "seed"), now=now, language=s.get("language")))
    return out
