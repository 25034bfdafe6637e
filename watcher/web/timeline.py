"""A commitment's status over time, drawn as SVG on the server.

One lane per status (implemented at the top, dropped at the bottom); a line steps between
lanes as the commitment moves, coloured by status; every change is a mark whose shape says
its kind, linked to the evidence below the picture and carrying it as a tooltip. A rejected
change is drawn hollow and grey and does not move the line. All text is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

LANES = ("implemented", "in_progress", "agreed", "proposed", "stalled", "dropped")
LANE_LABEL = {"implemented": "implemented", "in_progress": "in progress", "agreed": "agreed",
              "proposed": "proposed", "stalled": "stalled", "dropped": "dropped"}
STATUS_COLOUR = {"implemented": "#1a7f37", "in_progress": "#2f6fb3", "agreed": "#6b5fb5", "proposed": "#8a8f98",
                 "stalled": "#b35900", "dropped": "#c62828"}
KIND_COLOUR = {"new": "#2f6fb3", "advanced": "#1a7f37", "reaffirmed": "#6e7781", "delayed": "#b35900",
               "weakened": "#b35900", "dropped": "#c62828", "overdue": "#c62828"}
STRENGTH = {"reaffirmed": 0, "overdue": 1, "weakened": 2, "delayed": 3, "advanced": 4, "new": 5, "dropped": 6}
KIND_LABEL = {"new": "new", "advanced": "advanced", "reaffirmed": "reaffirmed", "delayed": "delayed",
              "weakened": "weakened", "dropped": "dropped", "overdue": "overdue"}


def day(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def kind_of(c: dict[str, Any]) -> str:
    """A change's kind: ``kind`` in a table row, ``change`` in the JSON of `watcher changes`."""
    return str(c.get("kind") or c.get("change") or "")


def change_day(c: dict[str, Any]) -> dt.date | None:
    return day(c.get("published_at")) or day(c.get("detected_at"))


YEARS_AHEAD = 10      # a date further ahead (a 9999-12-31 placeholder deadline) does not stretch the axis
YEARS_BACK = 100      # nor one further back


def span(commitments: Sequence[dict[str, Any]], today: dt.date) -> tuple[dt.date, dt.date]:
    """A shared time axis for several commitments: first change (or since) to today / deadline.

    Dates beyond :data:`YEARS_AHEAD` or :data:`YEARS_BACK` of today are left off the axis
    (a mark there sits at its edge; a deadline there is named at the right end).
    """
    lo = dt.date(max(1, today.year - YEARS_BACK), 1, 1)
    hi = dt.date(min(9998, today.year + YEARS_AHEAD), 12, 31)
    days = [d for c in commitments for ch in c.get("changes", []) if (d := change_day(ch))]
    days += [d for c in commitments if (d := day(c.get("since")))]
    days += [d for c in commitments if (d := day(c.get("deadline")))]
    days = [d for d in days if lo <= d <= hi]
    start = min(days, default=max(lo, today - dt.timedelta(days=365)))
    end = max([min(today, hi), *days])
    start = dt.date(start.year, 1, 1)
    end = dt.date(end.year + 1, 1, 1) if end.month > 6 else dt.date(end.year, 7, 1)
    return start, end


def _year_step(years: int) -> int:
    """Every year up to 8 of them; then 2, 5, 10, ... so that at most about 12 are labelled."""
    if years <= 8:
        return 1
    return next((s for s in (2, 5, 10, 20, 50, 100, 200, 500, 1000) if years / s <= 12), 2000)


def _shape(kind: str, x: float, y: float, r: float, fill: str, stroke: str) -> str:
    if kind == "advanced":
        pts = f"{x:.1f},{y - r * 1.2:.1f} {x - r:.1f},{y + r * 0.8:.1f} {x + r:.1f},{y + r * 0.8:.1f}"
        return f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
    if kind == "weakened":
        pts = f"{x:.1f},{y + r * 1.2:.1f} {x - r:.1f},{y - r * 0.8:.1f} {x + r:.1f},{y - r * 0.8:.1f}"
        return f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
    if kind in ("delayed", "overdue"):
        pts = f"{x:.1f},{y - r * 1.2:.1f} {x + r * 1.2:.1f},{y:.1f} {x:.1f},{y + r * 1.2:.1f} {x - r * 1.2:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
    if kind == "dropped":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'


def tip(c: dict[str, Any], limit: int = 0, when: dt.date | None = None) -> str:
    when = when or change_day(c)
    move = ""
    if c.get("from_status") and c.get("to_status") and c["from_status"] != c["to_status"]:
        move = f" ({LANE_LABEL.get(c['from_status'], c['from_status'])} → {LANE_LABEL.get(c['to_status'], c['to_status'])})"
    review = c.get("review_status") or "pending"
    head = f"{when.isoformat() if when else 'undated'} · {kind_of(c)}{move} · {review}"
    evidence = (c.get("evidence") or "").strip() or "(no evidence sentence: the deadline passed)"
    if limit and len(evidence) > limit:
        evidence = evidence[:limit].rsplit(" ", 1)[0] + " …"
    return f"{head}\n{evidence}"


def svg(commitment: dict[str, Any], start: dt.date, end: dt.date, *, today: dt.date, width: int = 1100,
        lane_h: int = 13, link_base: str = "", tip_limit: int = 0) -> Markup:
    """The timeline of one commitment between ``start`` and ``end``.

    ``tip_limit`` shortens the evidence in each mark's tooltip (0: whole sentences).
    """
    left, right, top = 100, 14, 8
    deadline = day(commitment.get("deadline"))
    height = top + lane_h * len(LANES) + (34 if deadline else 20)
    plot_w = width - left - right
    total = max((end - start).days, 1)

    def xof(d: dt.date) -> float:
        return left + plot_w * min(max((d - start).days, 0), total) / total

    def yof(status: str | None) -> float:
        i = LANES.index(status) if status in LANES else LANES.index("proposed")
        return top + lane_h * i + lane_h / 2

    cid = str(commitment.get("id", ""))
    title = f"Timeline of {commitment.get('title') or cid}"
    out = [f'<svg class="timeline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f"<title>{escape(title)}</title>"]
    for i, lane in enumerate(LANES):   # lanes and their labels
        y = top + lane_h * i
        fill = "#f6f8fa" if i % 2 == 0 else "#ffffff"
        out.append(f'<rect x="{left}" y="{y}" width="{plot_w}" height="{lane_h}" fill="{fill}"/>')
        out.append(f'<text x="{left - 6}" y="{y + lane_h / 2 + 3.5:.1f}" text-anchor="end" class="lane" '
                   f'fill="{STATUS_COLOUR[lane]}">{LANE_LABEL[lane]}</text>')
    axis_y = top + lane_h * len(LANES)
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" stroke="#8c959f"/>')
    years = range(start.year, end.year + 1)
    step = _year_step(len(years))
    for yr in years[::step]:
        jan = dt.date(yr, 1, 1)
        if start <= jan <= end and xof(jan) + 28 <= width:
            x = xof(jan)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#d0d7de"/>')
            out.append(f'<text x="{x + 2:.1f}" y="{axis_y + 15}" class="tick">{yr}</text>')
    if deadline and start <= deadline <= end:
        x = xof(deadline)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#c62828" '
                   f'stroke-dasharray="4 3" stroke-width="1.5"><title>deadline {deadline.isoformat()}</title></line>')
        anchor = "end" if x > left + plot_w / 2 else "start"
        out.append(f'<text x="{x:.1f}" y="{axis_y + 28}" text-anchor="{anchor}" class="tick deadline">'
                   f"deadline {deadline.isoformat()}</text>")
    elif deadline and deadline > end:
        out.append(f'<text x="{left + plot_w:.1f}" y="{axis_y + 28}" text-anchor="end" class="tick deadline">'
                   f"deadline {deadline.isoformat()} →</text>")
    if start <= today <= end:
        x = xof(today)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#57606a" '
                   f'stroke-width="1"><title>today</title></line>')
    dated = sorted(((change_day(c), c) for c in commitment.get("changes", [])),
                   key=lambda p: (p[0] or today, p[1].get("id") or 0))
    counted = [(d, c) for d, c in dated if c.get("review_status") != "rejected" and c.get("to_status")]
    # the status line: from the registry status at the start of the axis, stepping at each change
    status = (counted[0][1].get("from_status") or commitment.get("registry_status")) if counted else None
    status = status or commitment.get("registry_status") or commitment.get("status")
    x0: float = left
    since = day(commitment.get("since"))
    if since and start <= since <= end:
        x0 = xof(since)
    points: list[tuple[float, str]] = [(x0, str(status))]
    for cd, c in counted:
        if cd is not None:
            points.append((xof(cd), str(c["to_status"])))
    points.append((xof(min(today, end)), points[-1][1]))
    for (xa, sa), (xb, _sb) in zip(points, points[1:], strict=False):
        out.append(f'<line x1="{xa:.1f}" y1="{yof(sa):.1f}" x2="{xb:.1f}" y2="{yof(sa):.1f}" '
                   f'stroke="{STATUS_COLOUR.get(sa, "#57606a")}" stroke-width="4" stroke-linecap="round"/>')
    for (_xa, sa), (xb, sb) in zip(points, points[1:], strict=False):
        if sa != sb:
            out.append(f'<line x1="{xb:.1f}" y1="{yof(sa):.1f}" x2="{xb:.1f}" y2="{yof(sb):.1f}" '
                       f'stroke="#57606a" stroke-width="1.5" stroke-dasharray="2 2"/>')
    placed: dict[tuple[int, str], int] = {}
    order = sorted(dated, key=lambda p: (STRENGTH.get(kind_of(p[1]), 0), p[0] or today))
    base = escape(link_base)
    for md, c in order:   # the marks, on top; the strongest kind last so it stays visible
        if md is None:
            continue
        kind = kind_of(c)
        rejected = c.get("review_status") == "rejected"
        lane = str(c.get("to_status") or c.get("from_status") or status)
        colour = "#8c959f" if rejected else KIND_COLOUR.get(kind, "#57606a")
        fill = "#ffffff" if rejected else colour
        label = tip(c, tip_limit, md)
        x = xof(md)
        slot = (round(x / 6), lane)            # marks on the same spot fan out to the right (a little)
        n = placed.get(slot, 0)
        placed[slot] = n + 1
        n = min(n, 3)
        out.append(f'<a href="{base}#change-{int(c.get("id") or 0)}" class="mark" '
                   f'data-kind="{escape(kind)}" data-change="{int(c.get("id") or 0)}">'
                   f"<title>{escape(label)}</title>{_shape(kind, x + 9 * n, yof(lane), 5.5, fill, colour)}</a>")
    out.append("</svg>")
    return Markup("".join(out))


def legend() -> Markup:
    """A small SVG legend of the mark shapes."""
    items = []
    x = 6
    for kind in ("new", "advanced", "reaffirmed", "delayed", "weakened", "dropped", "overdue"):
        items.append(_shape(kind, x + 6, 11, 5, KIND_COLOUR[kind], KIND_COLOUR[kind]))
        items.append(f'<text x="{x + 16}" y="15" class="tick">{KIND_LABEL[kind]}</text>')
        x += 28 + 7 * len(KIND_LABEL[kind])
    items.append(_shape("new", x + 6, 11, 5, "#ffffff", "#8c959f"))
    items.append(f'<text x="{x + 16}" y="15" class="tick">rejected by a reviewer</text>')
    x += 170
    return Markup(f'<svg class="legend" viewBox="0 0 {x} 22" width="{x}" height="22" role="img" '
                  f'aria-label="Legend of change marks" xmlns="http://www.w3.org/2000/svg">{"".join(items)}</svg>')
