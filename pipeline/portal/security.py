"""The portal's defences that are not about one page: security headers on every response, rate
limits (per invitation, and per client for opening links), a limit on a request's body, and the
check that only loopback is served without TLS."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.errors import PipelineError
from pipeline.settings import is_loopback

# No script at all, inline or not; styles and images from the portal itself; forms post only to it.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # The invitation's secret is in its URL: no other site may be told it.
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Add the headers to every response, errors included; HSTS as well when served over TLS."""

    def __init__(self, app: ASGIApp, *, tls: bool) -> None:
        self.app = app
        self.headers = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
        if tls:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in self.headers}
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in names]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)


class RateLimit:
    """At most `per_minute` requests in any minute for each key (an invitation, a client's
    address); thread-safe. It remembers at most `keys` keys: past that, the one seen longest ago
    is forgotten, so a flood of new keys costs bounded memory and moves no key's own count."""

    def __init__(self, per_minute: int, keys: int = 10_000) -> None:
        self.per_minute = per_minute
        self.keys = keys
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.pop(key, None) or deque()
            self._seen[key] = seen  # the most recently seen, last
            while seen and now - seen[0] >= 60:
                seen.popleft()
            while len(self._seen) > self.keys:
                self._seen.popitem(last=False)
            if len(seen) >= self.per_minute:
                return False
            seen.append(now)
            return True

    def __len__(self) -> int:
        return len(self._seen)


def require_tls_beyond_this_machine(host: str, tls: bool) -> None:
    """The portal carries secret links and departments' text: beyond this machine, only over TLS."""
    if tls or is_loopback(host):
        return
    raise PipelineError(
        f"the portal would listen on {host}, beyond this machine, without TLS: its links and sessions would "
        "cross the network in clear. Give --certfile and --keyfile (or put it behind a TLS proxy on this "
        "machine and keep it on 127.0.0.1)."
    )


class BodyLimit:
    """Refuse a request body larger than `max_bytes` with 413, counted as it arrives (a client's
    Content-Length is not trusted) and read no further."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        declared_too_large = declared.isdigit() and int(declared) > self.max_bytes
        received = 0

        async def counted() -> Message:
            nonlocal received
            if declared_too_large:
                raise HTTPException(413)  # the app's handler shows it, as any refusal
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)
