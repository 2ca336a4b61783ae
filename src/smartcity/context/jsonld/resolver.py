"""Resolve an `@context` value (URL, inline object, or a list of both) to a cached ActiveContext."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import orjson

from smartcity.context.jsonld.active import ActiveContext
from smartcity.context.jsonld.cache import TtlLruCache
from smartcity.context.jsonld.core import core_local_context, is_core_url
from smartcity.context.jsonld.errors import ContextNotAvailable, InvalidContext
from smartcity.context.jsonld.terms import ContextBuilder

ContextValue = str | dict[str, Any] | list[Any] | None
ACCEPT = "application/ld+json, application/json;q=0.9"


def parse_allowed_hosts(value: str | None) -> frozenset[str]:
    """`SMARTCITY_CONTEXT_ALLOWED_HOSTS` (`host` or `host:port`, comma-separated) as a set."""
    return frozenset(h.strip().lower() for h in (value or "").split(",") if h.strip())


def _core_context() -> ActiveContext:
    builder = ContextBuilder()
    builder.apply(core_local_context())
    return ActiveContext(builder.terms, builder.vocab)


class ContextResolver:
    """One per platform: fetches allowed remote contexts once and caches what each @context means.

    Remote documents and resolved contexts live in two LRU caches with a time to live; concurrent
    requests for the same URL wait for a single download.
    """

    def __init__(
        self,
        *,
        allowed_hosts: Iterable[str] = (),
        max_bytes: int = 1 << 20,
        timeout: float = 5.0,
        max_redirects: int = 3,
        max_depth: int = 8,
        cache_size: int = 256,
        ttl: float = 3600.0,
        transport: httpx.BaseTransport | None = None,
        proxy: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed_hosts = frozenset(h.strip().lower() for h in allowed_hosts if h.strip())
        self.max_bytes, self.timeout = max_bytes, timeout
        self.max_redirects, self.max_depth = max_redirects, max_depth
        self._clock = clock
        self._documents: TtlLruCache[str, tuple[Any]] = TtlLruCache(
            maxsize=cache_size, ttl=ttl, clock=clock
        )
        self._resolved: TtlLruCache[bytes, ActiveContext] = TtlLruCache(
            maxsize=cache_size, ttl=ttl, clock=clock
        )
        self._fetching: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
            proxy=proxy,
            trust_env=False,  # proxies come from settings, not from the process environment
            headers={"Accept": ACCEPT},
        )
        self.core: ActiveContext = _core_context()

    def resolve(self, ctx: ContextValue) -> ActiveContext:
        """The active context for an `@context` value; the core context is always applied last."""
        if ctx is None or ctx == [] or (isinstance(ctx, str) and is_core_url(ctx)):
            return self.core
        try:
            key = orjson.dumps(ctx, option=orjson.OPT_SORT_KEYS)
        except TypeError as exc:
            raise InvalidContext(f"@context is not JSON: {exc}") from exc
        active = self._resolved.get(key)
        if active is None:
            active = self._build(ctx)
            self._resolved.put(key, active)
        return active

    def clear(self) -> None:
        """Forget every fetched document and resolved context."""
        self._documents.clear()
        self._resolved.clear()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ContextResolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _build(self, ctx: ContextValue) -> ActiveContext:
        builder = ContextBuilder()
        self._apply(builder, ctx, depth=0, seen=())
        builder.apply(core_local_context(), override_protected=True)
        return ActiveContext(builder.terms, builder.vocab, core=self.core)

    def _apply(
        self, builder: ContextBuilder, ctx: Any, *, depth: int, seen: tuple[str, ...]
    ) -> None:
        if isinstance(ctx, list):
            for item in ctx:
                self._apply(builder, item, depth=depth, seen=seen)
        elif ctx is None:
            builder.reset()
        elif isinstance(ctx, dict):
            builder.apply(ctx)
        elif isinstance(ctx, str):
            if is_core_url(ctx):
                builder.apply(core_local_context())
                return
            if ctx in seen:
                raise InvalidContext(f"@context {ctx} includes itself")
            if depth >= self.max_depth:
                raise InvalidContext(f"@context nesting deeper than {self.max_depth} documents")
            remote = self.fetch(ctx)
            self._apply(builder, remote, depth=depth + 1, seen=(*seen, ctx))
        else:
            raise InvalidContext(f"@context entries must be URLs or objects, not {ctx!r:.80}")

    def fetch(self, url: str) -> Any:
        """The `@context` member of the remote document at `url`, downloaded once per TTL."""
        cached = self._documents.get(url)  # a 1-tuple, since a remote @context may be null
        if cached is not None:
            return cached[0]
        with self._guard:
            lock = self._fetching.setdefault(url, threading.Lock())
        try:
            with lock:
                cached = self._documents.get(url)
                if cached is None:
                    cached = (self._download(url),)
                    self._documents.put(url, cached)
        finally:
            with self._guard:
                self._fetching.pop(url, None)
        return cached[0]

    def _download(self, url: str) -> Any:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise InvalidContext(f"@context URL {url!r} is not a valid URL") from exc
        if not target.is_absolute_url:
            raise InvalidContext(f"@context URL {url!r} must be absolute")
        deadline = self._clock() + self.timeout
        for _ in range(self.max_redirects + 1):
            self._check_allowed(target, url)
            try:
                body, location = self._get(target, deadline, url)
            except httpx.TimeoutException as exc:
                raise ContextNotAvailable(
                    f"@context {url} timed out after {self.timeout}s"
                ) from exc
            except httpx.HTTPError as exc:
                raise ContextNotAvailable(f"@context {url} could not be fetched: {exc}") from exc
            if location is None:
                return _context_member(body, url)
            target = target.join(location)
        raise ContextNotAvailable(f"@context {url} redirected more than {self.max_redirects} times")

    def _check_allowed(self, target: httpx.URL, url: str) -> None:
        if target.scheme not in ("http", "https"):
            raise ContextNotAvailable(f"@context {url}: only http and https URLs are fetched")
        host = target.host.lower()
        hostport = f"{host}:{target.port}" if target.port is not None else host
        if host not in self.allowed_hosts and hostport not in self.allowed_hosts:
            raise ContextNotAvailable(
                f"@context {url}: host {host!r} is not in SMARTCITY_CONTEXT_ALLOWED_HOSTS"
            )

    def _get(self, target: httpx.URL, deadline: float, url: str) -> tuple[bytes, str | None]:
        with self._client.stream("GET", target) as response:
            if response.is_redirect:
                return b"", response.headers.get("location", "")
            if response.status_code != 200:
                raise ContextNotAvailable(f"@context {url} answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise ContextNotAvailable(f"@context {url} is larger than {self.max_bytes} bytes")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise ContextNotAvailable(
                        f"@context {url} is larger than {self.max_bytes} bytes"
                    )
                if self._clock() > deadline:
                    raise httpx.ReadTimeout("total time exceeded")
            return bytes(body), None


def _context_member(body: bytes, url: str) -> Any:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidContext(f"@context {url} is not JSON: {exc}") from exc
    if not isinstance(document, dict) or "@context" not in document:
        raise InvalidContext(f"@context {url} is not a JSON-LD document with an @context member")
    return document["@context"]
