"""HTTP client for calls between services: bearer token, timeouts, and retries only where safe
(GET, and writes that carry an idempotency key)."""
from __future__ import annotations

import asyncio
import ssl
import time
from typing import Any

from shared.lean_imports import import_httpcore_without_unused_backends, skip_httpx_cli

skip_httpx_cli()  # before httpx: its CLI (rich, pygments) is never used here
import httpx  # noqa: E402

from shared.errors import DomainError

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


def _transport_options() -> dict[str, Any]:
    """What every client here is created with. httpx loads httpcore with the first client: lean
    (see shared.lean_imports). One TLS context for all clients, made the way httpx makes its
    default one (certifi, or SSL_CERT_FILE/SSL_CERT_DIR): each context holds its own parsed copy
    of the CA bundle (~0.4 MB), and ServiceClient opens a client per request."""
    global _SSL
    if _SSL is None:
        import_httpcore_without_unused_backends()
        _SSL = httpx.create_ssl_context()
    return {"verify": _SSL}


def _safe_to_retry(method: str, headers: dict[str, str]) -> bool:
    return method.upper() in {"GET", "HEAD", "PUT", "DELETE"} or "Idempotency-Key" in headers


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

    def _result(self, resp: httpx.Response) -> Any:
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                body = {"error": "service.error", "message": resp.text[:200]}
            if not isinstance(body, dict):
                body = {"error": "service.error"}
            raise ServiceError(self.service, resp.status_code, body)
        if resp.status_code == 204 or not resp.content:
            return None
        if resp.headers.get("content-type", "").startswith("application/json"):
            return resp.json()
        return resp.content


class ServiceClient(_Base):
    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                idempotency_key: str | None = None, lang: str | None = None) -> Any:
        headers = self._headers(idempotency_key, lang)
        attempts = self.retries + 1 if _safe_to_retry(method, headers) else 1
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                with httpx.Client(timeout=self.timeout, **_transport_options()) as client:
                    resp = client.request(method, self.base_url + path, json=json, params=params, headers=headers)
                if resp.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                    time.sleep(0.2 * 2**attempt)
                    continue
                return self._result(resp)
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
    """The bot's client: same policy, without blocking its event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client: httpx.AsyncClient | None = None

    async def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, **_transport_options())
        return self._client

    async def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                      idempotency_key: str | None = None, lang: str | None = None) -> Any:
        headers = self._headers(idempotency_key, lang)
        attempts = self.retries + 1 if _safe_to_retry(method, headers) else 1
        last: Exception | None = None
        client = await self._http()
        for attempt in range(attempts):
            try:
                resp = await client.request(method, self.base_url + path, json=json, params=params, headers=headers)
                if resp.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                    await asyncio.sleep(0.2 * 2**attempt)
                    continue
                return self._result(resp)
            except httpx.TransportError as exc:
                last = exc
                if attempt + 1 < attempts:
                    await asyncio.sleep(0.2 * 2**attempt)
        raise ServiceUnavailable(self.service, str(last))

    async def get(self, path: str, **kw: Any) -> Any:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Any:
        return await self.request("POST", path, **kw)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
