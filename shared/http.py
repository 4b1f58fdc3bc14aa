"""HTTP client for calls between services: bearer token, timeouts, and retries only where safe
(GET, and writes that carry an idempotency key).

Two clients with one policy: ``ServiceClient`` (the services, in threads) on the standard
library's http.client, and ``AsyncServiceClient`` (the bot, under asyncio) on aiohttp, which the
bot already carries for matrix-nio. Importing this module loads no HTTP library: the services
carry none beside Flask (httpx with its transport cost ~2.3 MB resident in each worker), and
a gunicorn worker never loads aiohttp."""
from __future__ import annotations

import asyncio
import base64
import codecs
import http.client
import ipaddress
import json as jsonlib
import os
import ssl
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import SplitResult, quote, unquote, urlencode, urlsplit

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
    """One TLS context for all clients here, made as httpx made its default one (SSL_CERT_FILE,
    SSL_CERT_DIR, else certifi's bundle): each context holds its own parsed copy of the CA bundle
    (~0.5 MB), and ServiceClient opens a connection per request. Made on the first HTTPS call
    (or HTTPS proxy) only: calls on plain http:// never parse the bundle."""
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


def _environment_proxies() -> dict[str, str]:
    """``{"http": url, "https": url, "all": url, "no": hosts}`` from https_proxy, http_proxy,
    all_proxy and no_proxy, read as ``urllib.request.getproxies()`` reads them on Linux (what httpx
    used), without importing urllib.request: the lower-case name wins, and HTTP_PROXY is ignored
    under CGI (REQUEST_METHOD set: it could come from a request's ``Proxy:`` header)."""
    proxies: dict[str, str] = {}
    for name, value in os.environ.items():
        if value and name.lower().endswith("_proxy"):
            proxies[name[:-6].lower()] = value
    if "REQUEST_METHOD" in os.environ:
        proxies.pop("http", None)
    for name, value in os.environ.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name[:-6].lower()] = value
            else:
                proxies.pop(name[:-6].lower(), None)
    return proxies


def _no_proxy_pattern(entry: str) -> tuple[str, str, int | None]:
    """One NO_PROXY entry as httpx reads it (curl's rules): ``(scheme or "", host pattern, port)``.
    ``example.com`` covers the domain and its subdomains (``*example.com``), ``.example.com`` the
    subdomains only, an IP address or ``localhost`` that host alone (``/bits`` is ignored, as
    httpx ignores it), and ``scheme://host[:port]`` that host for that scheme."""
    if "://" in entry:
        scheme, _, rest = entry.partition("://")
        scheme = "" if scheme.lower() == "all" else scheme.lower()
    else:
        address = entry.split("/")[0]
        try:
            ipaddress.ip_address(address)
            return "", address.lower(), None
        except ValueError:
            pass
        scheme, rest = "", entry if entry.lower() == "localhost" else "*" + entry
    wildcard = rest[:len(rest) - len(rest.lstrip("*"))]
    split = urlsplit("//" + rest[len(wildcard):])
    try:
        port = split.port
    except ValueError:
        port = None
    return scheme, wildcard + (split.hostname or ""), port


def _host_matches(pattern: str, host: str) -> bool:
    if not pattern or pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    if pattern.startswith("*"):
        return host == pattern[1:] or host.endswith("." + pattern[1:])
    return host == pattern


def _proxy_for(scheme: str, host: str, port: int | None) -> str | None:
    """The proxy URL for a request, from https_proxy/http_proxy/all_proxy and no_proxy as httpx
    chose it (its ``trust_env``), or None to connect directly."""
    proxies = _environment_proxies()
    if not (proxies.get(scheme) or proxies.get("all")):
        return None
    for entry in (item.strip() for item in proxies.get("no", "").split(",")):
        if entry == "*":
            return None
        if entry:
            entry_scheme, pattern, entry_port = _no_proxy_pattern(entry)
            if ((not entry_scheme or entry_scheme == scheme) and _host_matches(pattern, host)
                    and (entry_port is None or entry_port == port)):
                return None
    proxy = proxies.get(scheme) or proxies["all"]
    return proxy if "://" in proxy else f"http://{proxy}"


def _text(content: bytes, charset: str | None) -> str:
    # As httpx read a text: the charset the answer names when Python knows it, else UTF-8.
    try:
        encoding = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        encoding = "utf-8"
    return content.decode(encoding, "replace")


def _safe_to_retry(method: str, headers: dict[str, str]) -> bool:
    return method.upper() in {"GET", "HEAD", "PUT", "DELETE"} or "Idempotency-Key" in headers


def _query_value(value: Any) -> str:
    # As httpx wrote a query value (the clients' contract since), so that both clients send the same URL.
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


DEFAULT_PORTS = {"http": 80, "https": 443}


def _target(split: SplitResult, params: dict[str, Any] | None) -> str:
    """The request target: the path percent-encoded as httpx encoded it (what is already escaped
    stays), and the query with ``params`` appended to any the path carries."""
    target = quote(split.path or "/", safe=_PATH_SAFE)
    query = quote(split.query, safe=_QUERY_SAFE)
    if params:
        query = "&".join(filter(None, [query, urlencode(list(_query_items(params)))]))
    return f"{target}?{query}" if query else target


# What httpx left as it is in a path and in a query (the WHATWG percent-encode sets, and "%":
# what is already escaped stays so).
_PATH_SAFE = "".join(chr(i) for i in range(0x21, 0x7F) if chr(i) not in '"#<>?`{}')
_QUERY_SAFE = "".join(chr(i) for i in range(0x21, 0x7F) if chr(i) not in '"#<>')


def _exchange(method: str, url: str, params: dict[str, Any] | None, headers: dict[str, str], body: bytes | None,
              timeout: float) -> tuple[int, str, bytes, str | None]:
    """One request on a new connection: ``(status, content type, body, charset)``. Failing to get
    an answer raises OSError or http.client.HTTPException."""
    split = urlsplit(url)
    scheme = split.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        # httpx took this for a transport failure too (UnsupportedProtocol): e.g. no URL configured.
        raise http.client.InvalidURL(f"Request URL has no 'http://' or 'https://' protocol: {url!r}")
    host = split.hostname or ""
    port = split.port or DEFAULT_PORTS[scheme]
    target = _target(split, params)
    request_headers = dict(headers)
    proxy = _proxy_for(scheme, host, None if port == DEFAULT_PORTS[scheme] else port)
    if proxy is None:
        connection = _connection(scheme, host, port, timeout)
    else:
        proxy_split = urlsplit(proxy)
        proxy_scheme = proxy_split.scheme.lower()
        proxy_host = proxy_split.hostname or ""
        proxy_port = proxy_split.port or DEFAULT_PORTS.get(proxy_scheme, 0)
        if proxy_scheme not in DEFAULT_PORTS or (scheme == "https" and proxy_scheme == "https"):
            # httpx spoke SOCKS only with socksio (not installed) and TLS inside TLS; this client does neither.
            raise ValueError(f"proxy {proxy_scheme}:// for {scheme}:// URLs is not supported")
        proxy_headers = {}
        if proxy_split.username is not None:
            credentials = f"{unquote(proxy_split.username)}:{unquote(proxy_split.password or '')}"
            proxy_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        if scheme == "https":
            # A tunnel through the proxy (CONNECT, in plain HTTP), then TLS with the service itself.
            connection = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout, context=_ssl_context())
            connection.set_tunnel(host, port, headers=proxy_headers)
        else:
            # Forwarded by the proxy (over TLS to an https:// proxy): the request names the whole URL.
            connection = _connection(proxy_scheme, proxy_host, proxy_port, timeout)
            target = f"{scheme}://{split.netloc.rpartition('@')[2]}{target}"
            request_headers.update(proxy_headers)
    try:
        connection.request(method.upper(), target, body=body, headers=request_headers)
        response = connection.getresponse()
        content = response.read()
        return (response.status, response.headers.get("Content-Type", ""), content,
                response.headers.get_content_charset())
    finally:
        connection.close()


def _connection(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=_ssl_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


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
    """The services' client, on the standard library's http.client: one connection per call (as
    the httpx client it replaces opened one per call), HTTP/1.1, no redirects followed, no cookies,
    the timeout on connecting and on each read and write, proxies from the environment."""

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                idempotency_key: str | None = None, lang: str | None = None) -> Any:
        headers = self._headers(idempotency_key, lang)
        attempts = self.retries + 1 if _safe_to_retry(method, headers) else 1
        body: bytes | None = None
        if json is not None:
            # As httpx wrote a JSON body: compact UTF-8.
            body = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        url = self.base_url + path
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                status, content_type, content, charset = _exchange(method, url, params, headers, body,
                                                                   self.timeout)
                if status in RETRY_STATUSES and attempt + 1 < attempts:
                    time.sleep(0.2 * 2**attempt)
                    continue
                return self._result(status, content_type, content, charset)
            except (OSError, http.client.HTTPException) as exc:  # no answer: refused, reset, timed out, TLS
                last = exc
                if attempt + 1 < attempts:
                    time.sleep(0.2 * 2**attempt)
        raise ServiceUnavailable(self.service, str(last) or type(last).__name__)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)


class AsyncServiceClient(_Base):
    """The bot's client: same policy, without blocking its event loop. On aiohttp, which
    matrix-nio already loads in the bot, so the bot carries one HTTP stack; it is set up as
    ServiceClient works: the timeout applies to connecting, to each read and to waiting for
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
