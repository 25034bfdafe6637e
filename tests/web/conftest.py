"""The web interface on a real database seeded through the real store, served on loopback.

``seeded(url, registry)`` runs ``watcher init``'s code (registry + seed corpus) and adds articles a
hostile feed could send, a Korean and a Japanese article, a minted commitment with a
hostile title, a failing source and an alert outbox row. ``served`` starts the real app
on a free loopback port in a thread. The browser is Debian's Chromium through Playwright.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from watcher.cli._context import Ctx
from watcher.cli.commands import initialise
from watcher.store import Store
from watcher.store.schema import changes, claims, commitments, metadata, sources
from watcher.types import Article
from watcher.web.app import WebApp
from watcher.web.server import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

XSS_TITLE = "<script>window.__pwned=1</script>Trilateral summit hostile title"
XSS_IMG = '<img src=x onerror="window.__pwned=1">'
T0 = dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def registry(shared: Path) -> str:
    """The dev set's commitment registry (``../shared/eval/dev/registry.toml``)."""
    return str(shared / "eval" / "dev" / "registry.toml")


def hostile_articles() -> list[Article]:
    def art(i: int, title: str, text: str, url: str | None, lang: str, source: str, days: int) -> Article:
        return Article(source=source, guid=f"web-test-{i}", url=url, canonical_url=f"https://example.org/web/{i}",
                       title=title, text=text, published_at=T0 + dt.timedelta(days=days), language=lang,
                       fetched_at=T0 + dt.timedelta(days=days, hours=1), content_hash=f"webtest{i:04d}")
    return [
        art(1, XSS_TITLE, f"The United States, Japan and South Korea met. {XSS_IMG} The summit was friendly. "
            "<a href=\"javascript:window.__pwned=1\">click</a>", "javascript:window.__pwned=1", "en",
            "Hostile Wire", 1),
        art(2, f"Freedom Edge drill {XSS_IMG}", "The trilateral Freedom Edge exercise \"quoted\" & <b>bold</b> "
            "resumed off Jeju, officials in Seoul, Tokyo and Washington said.", "https://example.org/fe", "en",
            "Hostile Wire", 2),
        art(3, "한미일 사무국 출범 준비", "한미일 3국은 서울에서 협력 사무국 출범을 위한 실무 협의를 열었다. "
            "사무국은 내년에 문을 연다.", "https://example.kr/secretariat", "ko", "연합뉴스 테스트", 3),
        art(4, "日米韓、事務局設置で一致", "日米韓の3カ国は協力事務局の設置で一致した。", "https://example.jp/j", "ja",
            "Japan Test Wire", 4),
    ]


@dataclass
class Seeded:
    url: str
    store: Store
    ids: dict[str, int] = field(default_factory=dict)
    change_id: int = 0
    commitment: str = ""


def seeded(url: str, registry: str) -> Seeded:
    """A database as `watcher init --registry REGISTRY` leaves it, plus hostile and multilingual articles."""
    ctx = Ctx(config_path=str(ROOT / "sources.toml"), db_url=url, registry_path=registry)
    initialise(ctx, seed=True)
    store = ctx.store()
    stored = store.add_articles(hostile_articles(), now=T0 + dt.timedelta(days=10))
    ids = {s.article.guid or "": s.id for s in stored}
    with store.write("web test seed") as conn:
        conn.execute(commitments.insert().values(
            id="minted_hostile", title=f"Minted {XSS_IMG} commitment", aliases=[], keywords=[], status="proposed",
            since="2024-12-02", source="minted from an article", origin="minted", registry_status="proposed"))
        cid = conn.execute(changes.insert().values(
            commitment_id="minted_hostile", kind="new", from_status="", to_status="proposed",
            evidence=f"They agreed {XSS_IMG} to talk.", article_id=ids["web-test-1"], doc=None,
            article_url="javascript:window.__pwned=1", published_at=T0 + dt.timedelta(days=1), detected_at=T0,
            confirmed=True, outlets=["Hostile Wire", "<b>x</b>"], review_status="pending")).inserted_primary_key
        assert cid is not None
        conn.execute(claims.insert().values(article_id=ids["web-test-1"], start=0, end=44,
                                            sentence="The United States, Japan and South Korea met.",
                                            modality="agreed", action="meet", negated=False,
                                            commitment_id="minted_hostile"))
        first = conn.execute(select(sources.c.id).order_by(sources.c.id)).scalar()
        if first is not None:
            conn.execute(update(sources).where(sources.c.id == first).values(
                error_count=3, last_status="timeout", last_error=f"read timed out {XSS_IMG}",
                last_polled_at=T0, last_success_at=T0 - dt.timedelta(days=2)))
        alerts = metadata.tables.get("alerts")
        if alerts is not None:
            conn.execute(alerts.insert().values(
                id="alert-test-1", change_id=cid[0], channel="desk", kind="change", state="failed", attempts=5,
                next_attempt_at=T0, last_error=f"SMTP 550 {XSS_IMG}", created_at=T0))
    return Seeded(url=url, store=store, ids=ids, change_id=int(cid[0]), commitment="minted_hostile")


@dataclass
class Served:
    base: str
    db: Seeded
    app: WebApp


@pytest.fixture
def served(tmp_path: Path, registry: str) -> Iterator[Served]:
    """The app over a fresh seeded SQLite database, on a free loopback port."""
    db = seeded(f"sqlite:///{tmp_path}/web.sqlite3", registry)
    yield from _serve(db)


@pytest.fixture
def served_any(db_url: str, registry: str) -> Iterator[Served]:
    """The same on SQLite and on PostgreSQL (see tests/conftest.py)."""
    yield from _serve(seeded(db_url, registry))


def _serve(db: Seeded, **kw: Any) -> Iterator[Served]:
    app = WebApp(db.store, today=lambda: dt.date(2026, 1, 15), **kw)
    server, thread = serve_in_thread(app)
    port = server.server_address[1]
    from watcher.web.server import loopback_hosts

    app.guard.allowed_hosts = loopback_hosts("127.0.0.1", port)
    try:
        yield Served(base=f"http://127.0.0.1:{port}", db=db, app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        db.store.dispose()


class Client:
    """A tiny HTTP client that keeps cookies (the CSRF cookie) like a browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        u = urllib.parse.urlsplit(self.base)
        conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=30)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        out = {k.lower(): v for k, v in resp.getheaders() if k.lower() != "set-cookie"}
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, out, data

    def get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, **kw)

    def json(self, path: str) -> Any:
        status, _h, body = self.get(path)
        assert status == 200, body[:300]
        return json.loads(body)

    def csrf(self, path: str = "/review") -> str:
        import re

        _s, _h, body = self.get(path)
        m = re.search(rb'name="csrf" value="([0-9a-f]+)"', body)
        assert m, "no CSRF token in the page"
        return m.group(1).decode()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    pg.errors = []   # page errors and CSP violations the test can assert on
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        ctx.close()
