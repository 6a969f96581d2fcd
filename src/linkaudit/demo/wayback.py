"""A Wayback-format archive on loopback: CDX, availability API, replay and Save Page Now.

The archive stage, the demo and the end-to-end tests all talk to this one server, so it speaks the formats
of web.archive.org exactly as waybackpy and the archive stage read them, and it carries test hooks
(a request log, delays, "answer 429 to the next N requests") to exercise politeness and failures.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urljoin, urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")

_REPLAY = re.compile(r"^/web/(?P<timestamp>\d{1,14})(?P<modifier>[a-z]{2}_)?/(?P<url>.+)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Capture:
    """One archived response. A capture with ``redirect_to`` is a redirect capture (status 3xx): its replay
    answers with that status and a Location inside the archive, as the Wayback Machine does."""

    original: str
    timestamp: str  # 14-digit YYYYMMDDhhmmss
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    redirect_to: str | None = None


@dataclass
class WaybackState:
    """The server's mutable side: captures (SPN adds to them) and the hooks tests steer and read."""

    captures: list[Capture]
    log: list[tuple[float, str]] = field(default_factory=list)  # (time.monotonic(), path with query)
    fail_next: int = 0  # answer 429 to this many coming requests
    retry_after: str | None = "1"  # Retry-After sent with those 429s (None: no header)
    delay: float = 0.0  # seconds every answer waits (to show the caller's event loop stays free)
    broken: bool = False  # answer 503 to everything
    refuse_saves: bool = False  # Save Page Now answers 429 (its per-minute limit reached)

    def answer_429(self, count: int, retry_after: str | None = "1") -> None:
        self.fail_next = count
        self.retry_after = retry_after


WAYBACK_STATE = web.AppKey("wayback_state", WaybackState)


def surt_key(url: str) -> str:
    """The archive's canonical key: scheme and ``www.`` dropped, host reversed, lowercased (SURT)."""
    parts = urlsplit(url.strip() if "://" in url else "http://" + url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    host = re.sub(r"^www\d*\.", "", host)
    port = f":{parts.port}" if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()) else ""
    path = parts.path or "/"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    key = ",".join(reversed(host.split("."))) + port + ")" + path + ("?" + query if query else "")
    return key.lower()


def _digest(capture: Capture) -> str:
    return base64.b32encode(hashlib.sha1(capture.body).digest()).decode("ascii")


def _row(capture: Capture) -> dict[str, str]:
    return {
        "urlkey": surt_key(capture.original),
        "timestamp": capture.timestamp,
        "original": capture.original,
        "mimetype": capture.content_type.split(";")[0].strip(),
        "statuscode": str(capture.status),
        "digest": _digest(capture),
        "length": str(len(capture.body)),
    }


def _matches(capture: Capture, key: str, match_type: str) -> bool:
    own = surt_key(capture.original)
    if match_type == "exact":
        return own == key
    if match_type == "prefix":
        return own.startswith(key.rstrip("/")) if key.endswith("/") else own.startswith(key)
    host = key.split(")")[0]
    if match_type == "host":
        return own.split(")")[0] == host
    return own.split(")")[0] == host or own.startswith(host + ",")  # domain


def _apply_filter(rows: list[dict[str, str]], expression: str) -> list[dict[str, str]]:
    negate = expression.startswith("!")
    name, _, pattern = expression.lstrip("!").partition(":")
    regex = re.compile(pattern)
    return [row for row in rows if bool(regex.fullmatch(row.get(name, ""))) != negate]


def _apply_collapse(rows: list[dict[str, str]], expression: str) -> list[dict[str, str]]:
    name, _, width = expression.partition(":")
    size = int(width) if width else None
    kept: list[dict[str, str]] = []
    previous: str | None = None
    for row in rows:
        value = row.get(name, "")[:size] if size else row.get(name, "")
        if value != previous:
            kept.append(row)
        previous = value
    return kept


def _padded(timestamp: str, filler: str) -> str:
    digits = re.sub(r"\D", "", timestamp)
    return (digits + filler * 14)[:14]


async def _cdx(request: web.Request) -> web.StreamResponse:
    state = request.app[WAYBACK_STATE]
    query = parse_qsl(request.query_string, keep_blank_values=True)
    single = dict(query)
    url = single.get("url", "")
    if not url:
        return web.Response(status=400, text="url parameter required")
    match_type = single.get("matchType", "exact")
    if url.endswith("*"):
        match_type, url = "prefix", url[:-1]
    key = surt_key(url)
    ordered = sorted(state.captures, key=lambda c: c.timestamp)
    rows = [_row(c) for c in ordered if _matches(c, key, match_type)]
    if "from" in single:
        rows = [r for r in rows if r["timestamp"] >= _padded(single["from"], "0")]
    if "to" in single:
        rows = [r for r in rows if r["timestamp"] <= _padded(single["to"], "9")]
    for name, value in query:
        if name == "filter":
            rows = _apply_filter(rows, value)
        elif name == "collapse":
            rows = _apply_collapse(rows, value)
    if single.get("sort") == "closest" and "closest" in single:
        target = int(_padded(single["closest"], "0"))
        rows.sort(key=lambda r: abs(int(r["timestamp"]) - target))
    elif single.get("sort") == "reverse":
        rows.reverse()
    offset = int(single.get("resumeKey") or 0)
    rows = rows[offset:]
    limit = int(single.get("limit") or 0)
    resume: str | None = None
    if limit < 0:
        rows = rows[limit:]
    elif limit > 0:
        if len(rows) > limit and single.get("showResumeKey") == "true":
            resume = str(offset + limit)
        rows = rows[:limit]
    names = [n for n in single.get("fl", "").split(",") if n] or list(CDX_FIELDS)
    table = [[row.get(name, "") for name in names] for row in rows]
    if single.get("output") == "json":
        payload: list[list[str]] = [names, *table] if table else []
        if resume is not None:
            payload += [[], [resume]]
        return web.Response(text=json.dumps(payload), content_type="application/json")
    lines = [" ".join(cells) for cells in table]
    if resume is not None:
        lines += ["", resume]
    return web.Response(text="\n".join(lines) + ("\n" if lines else ""), content_type="text/plain")


def redirect_target(capture: Capture) -> str | None:
    """The absolute URL a redirect capture points at (a relative Location resolved as a browser would)."""
    return None if capture.redirect_to is None else urljoin(capture.original, capture.redirect_to)


def _self_redirect(capture: Capture) -> bool:
    """A redirect to the same archive key (http -> https, adding ``www.``): replaying it would loop."""
    target = redirect_target(capture)
    return target is not None and surt_key(target) == surt_key(capture.original)


def _closest(
    captures: Sequence[Capture], url: str, timestamp: str, *, ok_only: bool = False
) -> Capture | None:
    """The capture of ``url`` nearest ``timestamp``; self-redirects only when nothing else is held."""
    key = surt_key(url)
    same = [c for c in captures if surt_key(c.original) == key and (c.status == 200 or not ok_only)]
    same = [c for c in same if not _self_redirect(c)] or same
    if not same:
        return None
    target = int(_padded(timestamp, "0"))
    return min(same, key=lambda c: (abs(int(c.timestamp) - target), c.timestamp))


async def _available(request: web.Request) -> web.StreamResponse:
    state = request.app[WAYBACK_STATE]
    url = request.query.get("url", "")
    timestamp = request.query.get("timestamp") or datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    capture = _closest(state.captures, url, timestamp, ok_only=True) if url else None
    snapshots: dict[str, object] = {}
    if capture is not None:
        snapshots["closest"] = {
            "status": str(capture.status),
            "available": True,
            "url": f"{_base(request)}/web/{capture.timestamp}/{capture.original}",
            "timestamp": capture.timestamp,
        }
    return web.json_response({"url": url, "archived_snapshots": snapshots})


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _replay_target(request: web.Request, prefix: str) -> str:
    """The archived URL in a replay or save path, percent-encoding and query kept as sent."""
    raw = request.raw_path.split("?", 1)[0][len(prefix) :]
    raw = re.sub(r"^(https?):/(?!/)", r"\1://", raw)  # a proxy may have merged the double slash
    return raw + ("?" + request.query_string if request.query_string else "")


def _banner(body: bytes, capture: Capture) -> bytes:
    banner = (
        f'<div id="wm-ipp">Wayback Machine: {capture.original} captured {capture.timestamp}</div>'
    ).encode()
    match = re.search(rb"<body[^>]*>", body, re.IGNORECASE)
    if match is None:
        return banner + body
    return body[: match.end()] + banner + body[match.end() :]


async def _replay(request: web.Request) -> web.StreamResponse:
    state = request.app[WAYBACK_STATE]
    match = _REPLAY.match(request.raw_path.split("?", 1)[0])
    if match is None:
        return web.Response(status=404, text="not a replay URL")
    timestamp, modifier = match["timestamp"], match["modifier"] or ""
    prefix = f"/web/{timestamp}{modifier}/"
    url = _replay_target(request, prefix)
    capture = _closest(state.captures, url, timestamp)
    if capture is None:
        return web.Response(status=404, text=f"Wayback Machine has not archived {url}")
    if capture.timestamp != timestamp:  # the nearest capture, as the real replay does
        raise web.HTTPFound(f"/web/{capture.timestamp}{modifier}/{capture.original}")
    headers = {"Memento-Datetime": _http_date(capture.timestamp)}
    target = redirect_target(capture)
    if target is not None:
        # The archived status, and the Location rewritten into the archive at the redirect's own timestamp
        # (``id_`` too: OpenWayback's RedirectRewritingHttpHeaderProcessor); the replay of that address goes
        # on to the target's nearest capture. The archived header is kept under the X-Archive-Orig- prefix.
        headers["Location"] = f"/web/{capture.timestamp}{modifier}/{target}"
        headers["X-Archive-Orig-Location"] = capture.redirect_to or target
        status = capture.status if 300 <= capture.status < 400 else 302
        return web.Response(status=status, headers=headers)
    body = capture.body if modifier == "id_" else _banner(capture.body, capture)
    headers["Content-Type"] = capture.content_type
    return web.Response(status=capture.status, body=body, headers=headers)


def _http_date(timestamp: str) -> str:
    moment = datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


async def _save(request: web.Request) -> web.StreamResponse:
    """Save Page Now: record a capture stamped now and point at it like web.archive.org does."""
    state = request.app[WAYBACK_STATE]
    if state.refuse_saves:
        return web.Response(status=429, text="You have already reached the limit of active sessions")
    url = _replay_target(request, "/save/")
    if request.method == "POST" and not url:
        url = (await request.post()).get("url", "")  # type: ignore[assignment]
    if "://" not in url:
        return web.Response(status=400, text="a URL to save is required")
    timestamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    body = f"<html><head><title>Saved {url}</title></head><body>Saved by Save Page Now</body></html>"
    state.captures.append(Capture(url, timestamp, 200, body.encode()))
    location = f"/web/{timestamp}/{url}"
    return web.Response(status=302, headers={"Location": location, "Content-Location": location})


@web.middleware
async def _hooks(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[WAYBACK_STATE]
    state.log.append((time.monotonic(), request.raw_path))
    if state.delay:
        await asyncio.sleep(state.delay)
    if state.fail_next > 0:
        state.fail_next -= 1
        headers = {"Retry-After": state.retry_after} if state.retry_after is not None else {}
        return web.Response(status=429, text="Too Many Requests", headers=headers)
    if state.broken:
        return web.Response(status=503, text="Service Unavailable")
    return await handler(request)


def make_wayback_app(captures: Sequence[Capture]) -> web.Application:
    """A Wayback-compatible archive holding ``captures``; its state is ``app[WAYBACK_STATE]``."""
    app = web.Application(middlewares=[_hooks])
    app[WAYBACK_STATE] = WaybackState(captures=list(captures))
    app.router.add_get("/cdx/search/cdx", _cdx)
    app.router.add_get("/wayback/available", _available)
    app.router.add_route("*", "/save/{url:.*}", _save)
    app.router.add_get("/web/{rest:.*}", _replay)
    return app
