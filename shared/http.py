"""HTTP client for calls between services: bearer token, timeouts, and retries only where safe
(GET, and writes that carry an idempotency key).

Two clients with one policy: ``ServiceClient`` (the services, in threads) on httpx, and
``AsyncServiceClient`` (the bot, under asyncio) on aiohttp, which the bot already carries for
matrix-nio. Importing this module loads neither: the bot never loads httpx (a second HTTP stack,
~2 MB resident with its transport) and a gunicorn worker loads it with its first call."""
from __future__ import annotations

import asyncio
import codecs
import json as jsonlib
import os
import ssl
import time
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator

from shared.errors import DomainError

if TYPE_CHECKING:
    import aiohttp

RETRY_STATUSES = {502, 503, 504}


class ServiceUnavailable(DomainError):
    """The other service did not answer; the user is told, nothing is half-done."""

    status = 503

    def __init__(self, service: str, detail: str) -> None:
        super().__init__("service.unavailable", f"{service} unavailable: {detail}", service=service)


class ServiceError(DomainError):
    """The other service refused the request with a JSON error; its message is passed on."""

    def __init__(self, service: str, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        super().__init__(body.get("error", "service.error"), f"{service} answered {status}: {body.get('error')}",
                         **(body.get("params") or {}))
        self.remote_message = body.get("message")

    def user_message(self, lang: str | None = None) -> str:
        # The service rendered its message in the language we asked for, with everything it knows
        # (e.g. the list of what is missing before agreement): pass it on as it is.
        return self.remote_message or super().user_message(lang)


_SSL: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for all clients here, made as httpx makes its default one (SSL_CERT_FILE,
    SSL_CERT_DIR, else certifi's bundle): each context holds its own parsed copy of the CA bundle
    (~0.5 MB), and ServiceClient opens a client per request. Made on the first HTTPS call only."""
    global _SSL
    if _SSL is None:
        if os.environ.get("SSL_CERT_FILE"):
            _SSL = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
        elif os.environ.get("SSL_CERT_DIR"):
            _SSL = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
        else:
            import certifi

            _SSL = ssl.create_default_context(cafile=certifi.where())
    return _SSL


_PLAIN_HTTP_TLS: ssl.SSLContext | None = None
PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")


def _tls_for(url: str) -> ssl.SSLContext:
    """The TLS context an httpx client for ``url`` is made with. httpx wants one even for plain
    HTTP, where it is never used (our calls go to the one URL, redirects are not followed):
    the services call each other on http://127.0.0.1 in most setups, so a worker need not parse
    the CA bundle (~0.5 MB resident) for them. That context trusts nothing, so it could never
    accept a certificate by mistake. A proxy from the environment (httpx honours it) may itself
    speak TLS: then the real context, as for https:// URLs."""
    global _PLAIN_HTTP_TLS
    if url.startswith("https:") or any(os.environ.get(name) or os.environ.get(name.upper())
                                       for name in PROXY_VARIABLES):
        return _ssl_context()
    if _PLAIN_HTTP_TLS is None:
        _PLAIN_HTTP_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, with no CA: refuses any server
    return _PLAIN_HTTP_TLS


def _httpx() -> ModuleType:
    """httpx, imported on the first synchronous call: without its command-line client (rich,
    pygments) and with a lean httpcore (see shared.lean_imports)."""
    from shared.lean_imports import import_httpcore_without_unused_backends, skip_httpx_cli

    skip_httpx_cli()
    import httpx

    import_httpcore_without_unused_backends()
    return httpx


def _text(content: bytes, charset: str | None) -> str:
    # As httpx reads a text: the charset the answer names when Python knows it, else UTF-8.
    try:
        encoding = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        encoding = "utf-8"
    return content.decode(encoding, "replace")


def _safe_to_retry(method: str, headers: dict[str, str]) -> bool:
    return method.upper() in {"GET", "HEAD", "PUT", "DELETE"} or "Idempotency-Key" in headers


def _query_value(value: Any) -> str:
    # As httpx writes a query value, so that both clients send the same URL.
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _query_items(params: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            yield str(key), _query_value(item)


class _Base:
    def __init__(self, service: str, base_url: str, token: str | None, *, timeout: float = 5.0,
                 retries: int = 2, lang: str | None = None) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if lang:
            self.headers["Accept-Language"] = lang
        self.timeout = timeout
        self.retries = retries

    def _headers(self, idempotency_key: str | None, lang: str | None) -> dict[str, str]:
        headers = dict(self.headers)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if lang:
            headers["Accept-Language"] = lang
        return headers

    def _result(self, status: int, content_type: str, content: bytes, charset: str | None = None) -> Any:
        """The answer's JSON (or bytes when it is not JSON, None when empty), or ServiceError."""
        if status >= 400:
            try:
                body = jsonlib.loads(content)
            except ValueError:
                body = {"error": "service.error", "message": _text(content, charset)[:200]}
            if not isinstance(body, dict):
                body = {"error": "service.error"}
            raise ServiceError(self.service, status, body)
        if status == 204 or not content:
            return None
        if content_type.startswith("application/json"):
            return jsonlib.loads(content)
        return content


class ServiceClient(_Base):
    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                idempotency_key: str | None = None, lang: str | None = None) -> Any:
        httpx = _httpx()
        headers = self._headers(idempotency_key, lang)
        attempts = self.retries + 1 if _safe_to_retry(method, headers) else 1
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                with httpx.Client(timeout=self.timeout, verify=_tls_for(self.base_url)) as client:
                    resp = client.request(method, self.base_url + path, json=json, params=params, headers=headers)
                if resp.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                    time.sleep(0.2 * 2**attempt)
                    continue
                return self._result(resp.status_code, resp.headers.get("content-type", ""), resp.content,
                                    resp.charset_encoding)
            except httpx.TransportError as exc:
                last = exc
                if attempt + 1 < attempts:
                    time.sleep(0.2 * 2**attempt)
        raise ServiceUnavailable(self.service, str(last))

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)


class AsyncServiceClient(_Base):
    """The bot's client: same policy, without blocking its event loop. On aiohttp, which
    matrix-nio already loads in the bot, so the bot carries one HTTP stack; it is set up as
    ServiceClient's httpx is: the timeout applies to connecting, to each read and to waiting for
    a pooled connection (not to the whole call), redirects are not followed, proxies come from
    the environment, the body is compact UTF-8 JSON, and no cookies are kept (calls are
    authenticated by the bearer token alone)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            import aiohttp

            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None, connect=self.timeout, sock_connect=self.timeout,
                                              sock_read=self.timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                json_serialize=partial(jsonlib.dumps, ensure_ascii=False, separators=(",", ":"), allow_nan=False),
                trust_env=True,
            )
        return self._session

    async def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                      idempotency_key: str | None = None, lang: str | None = None) -> Any:
        import aiohttp

        headers = self._headers(idempotency_key, lang)
        attempts = self.retries + 1 if _safe_to_retry(method, headers) else 1
        url = self.base_url + path
        tls: ssl.SSLContext | bool = _ssl_context() if url.startswith("https:") else True
        query = list(_query_items(params)) if params else None
        last: Exception | None = None
        session = self._http()
        for attempt in range(attempts):
            try:
                async with session.request(method, url, json=json, params=query, headers=headers,
                                           allow_redirects=False, ssl=tls) as resp:
                    content = await resp.read()
                if resp.status in RETRY_STATUSES and attempt + 1 < attempts:
                    await asyncio.sleep(0.2 * 2**attempt)
                    continue
                return self._result(resp.status, resp.headers.get("Content-Type", ""), content, resp.charset)
            except (aiohttp.ClientError, TimeoutError) as exc:  # no answer: refused, reset, timed out
                last = exc
                if attempt + 1 < attempts:
                    await asyncio.sleep(0.2 * 2**attempt)
        raise ServiceUnavailable(self.service, str(last) or type(last).__name__)

    async def get(self, path: str, **kw: Any) -> Any:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Any:
        return await self.request("POST", path, **kw)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
