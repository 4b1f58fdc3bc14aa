"""The two service clients of shared.http keep one policy: ``ServiceClient`` (http.client, the services)
and ``AsyncServiceClient`` (aiohttp, the bot) are run against the same small HTTP server on
127.0.0.1 and must send the same requests and read the answers the same way: bearer token,
language, idempotency key, query and JSON body; retries only where safe; a service's refusal
passed on, no answer turned into ServiceUnavailable; redirects not followed; proxies taken from
the environment. ``ServiceClient`` was built on httpx: where httpx decided (which proxy), its
choice is the reference."""
from __future__ import annotations

import asyncio
import base64
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from shared.http import AsyncServiceClient, ServiceClient, ServiceError, ServiceUnavailable


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) closed the connection before the answer


class FakeService:
    """Answers each path with the answers queued for it (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Answer]] = {}
        self.seen: list[Seen] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service.seen.append(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                         body))
                queue = service.answers.get(self.path.partition("?")[0], [Answer(404)])
                answer = queue.pop(0) if len(queue) > 1 else queue[0]
                time.sleep(answer.delay)
                self.send_response(answer.status)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_CONNECT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, *answers: Answer) -> None:
        self.answers[path] = list(answers)

    def json(self, path: str, status: int, payload: Any) -> None:
        self.answer(path, Answer(status, json.dumps(payload).encode(), "application/json"))


@pytest.fixture
def service() -> Iterator[FakeService]:
    fake = FakeService()
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


Call = Callable[..., Any]


def sync_call(base_url: str, **options: Any) -> Call:
    client = ServiceClient("calendar", base_url, "t-bot", **options)
    return client.request


def async_call(base_url: str, **options: Any) -> Call:
    def call(method: str, path: str, **kw: Any) -> Any:
        async def run() -> Any:
            client = AsyncServiceClient("calendar", base_url, "t-bot", **options)
            try:
                return await client.request(method, path, **kw)
            finally:
                await client.aclose()
        return asyncio.run(run())
    return call


@pytest.fixture(params=[sync_call, async_call], ids=["http.client", "aiohttp"])
def client(request: pytest.FixtureRequest) -> Callable[..., Call]:
    return request.param


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_request_carries_token_language_key_query_and_compact_json(service, client):
    service.json("/api/v1/things", 201, {"id": 7})
    call = client(service.url + "/", lang="nl")
    result = call("POST", "/api/v1/things", json={"naam": "café", "n": [1, 2]},
                  params={"flag": True, "off": False, "days": 30, "none": None, "many": ["a", "b c"]},
                  idempotency_key="key-1", lang="en")
    assert result == {"id": 7}
    [seen] = service.seen
    assert seen.method == "POST"
    assert seen.target == "/api/v1/things?flag=true&off=false&days=30&none=&many=a&many=b+c"
    assert seen.headers["authorization"] == "Bearer t-bot"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["accept-language"] == "en"  # the call's language before the client's
    assert seen.headers["idempotency-key"] == "key-1"
    assert seen.headers["content-type"] == "application/json"
    assert seen.body == '{"naam":"café","n":[1,2]}'.encode()
    assert "cookie" not in seen.headers


def test_the_clients_language_without_one_for_the_call_and_no_token_without_one(service, client):
    service.json("/x", 200, [])
    client(service.url, lang="nl")("GET", "/x")
    assert service.seen[0].headers["accept-language"] == "nl"
    plain = ServiceClient if client is sync_call else AsyncServiceClient
    assert "Authorization" not in plain("calendar", service.url, None).headers


def test_a_get_is_retried_on_a_gateway_error_until_it_answers(service, client):
    service.answer("/flaky", Answer(503), Answer(502), Answer(200, b'{"ok": true}', "application/json"))
    assert client(service.url)("GET", "/flaky") == {"ok": True}
    assert len(service.seen) == 3


def test_a_write_is_retried_only_with_an_idempotency_key(service, client):
    service.answer("/w", Answer(503), Answer(200, b'{"done": 1}', "application/json"))
    with pytest.raises(ServiceError) as refused:
        client(service.url)("POST", "/w", json={})
    assert refused.value.status == 503 and len(service.seen) == 1

    service.seen.clear()
    service.answer("/w", Answer(504), Answer(200, b'{"done": 1}', "application/json"))
    assert client(service.url)("POST", "/w", json={}, idempotency_key="k") == {"done": 1}
    assert [s.headers["idempotency-key"] for s in service.seen] == ["k", "k"]


def test_retries_stop_after_the_last_attempt_with_the_services_answer(service, client):
    service.answer("/down", Answer(503, b'{"error": "service.busy", "message": "Even geduld"}', "application/json"))
    with pytest.raises(ServiceError) as refused:
        client(service.url, retries=1)("GET", "/down")
    assert len(service.seen) == 2
    assert refused.value.status == 503 and refused.value.user_message("nl") == "Even geduld"


def test_a_refusal_passes_on_the_services_code_message_and_params(service, client):
    service.json("/r", 409, {"error": "deliberation.not_ready", "message": "Nog niet: quorum ontbreekt",
                             "params": {"missing": 2}})
    with pytest.raises(ServiceError) as refused:
        client(service.url)("POST", "/r", json={})
    err = refused.value
    assert (err.status, err.code, err.params) == (409, "deliberation.not_ready", {"missing": 2})
    assert err.user_message("en") == "Nog niet: quorum ontbreekt"
    assert err.body["error"] == "deliberation.not_ready"


def test_an_error_without_a_json_object_becomes_a_generic_service_error(service, client):
    service.answer("/text", Answer(500, ("kapot " * 60).encode(), "text/plain; charset=utf-8"))
    with pytest.raises(ServiceError) as text_error:
        client(service.url)("POST", "/text")
    assert text_error.value.body == {"error": "service.error", "message": ("kapot " * 60)[:200]}

    service.answer("/latin", Answer(502, "café".encode("latin-1"), "text/plain; charset=iso-8859-1"))
    service.answer("/unknown", Answer(500, "café".encode(), "text/plain; charset=nonsense"))
    for path in ("/latin", "/unknown"):
        with pytest.raises(ServiceError) as charset_error:
            client(service.url, retries=0)("POST", path)
        assert charset_error.value.body["message"] == "café"

    service.json("/list", 400, ["not", "an", "object"])
    with pytest.raises(ServiceError) as list_error:
        client(service.url)("POST", "/list")
    assert list_error.value.body == {"error": "service.error"} and list_error.value.status == 400


def test_answers_are_json_bytes_or_nothing(service, client):
    call = client(service.url)
    service.answer("/none", Answer(204))
    service.answer("/empty", Answer(200, b"", "application/json"))
    service.answer("/csv", Answer(200, b"a;b\n1;2\n", "text/csv"))
    service.answer("/json", Answer(200, '{"naam": "Zoë"}'.encode(), "application/json; charset=utf-8"))
    assert call("DELETE", "/none") is None
    assert call("GET", "/empty") is None
    assert call("GET", "/csv") == b"a;b\n1;2\n"
    assert call("GET", "/json") == {"naam": "Zoë"}


def test_a_redirect_is_not_followed(service, client):
    service.answer("/old", Answer(302, headers={"Location": "/new"}))
    service.json("/new", 200, {"followed": True})
    assert client(service.url)("GET", "/old") is None
    assert [s.target for s in service.seen] == ["/old"]


def test_no_answer_is_service_unavailable_after_the_retries(client):
    call = client(f"http://127.0.0.1:{free_port()}", retries=1)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as unavailable:
        call("GET", "/")
    assert time.monotonic() - started >= 0.2  # one pause before the one retry
    assert unavailable.value.params == {"service": "calendar"}
    assert unavailable.value.log_message.startswith("calendar unavailable: ")
    assert unavailable.value.log_message != "calendar unavailable: "


def test_a_slow_answer_is_service_unavailable_after_the_timeout(service, client):
    service.answer("/slow", Answer(200, b"{}", "application/json", delay=1.0))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        client(service.url, timeout=0.2, retries=0)("GET", "/slow")
    assert time.monotonic() - started < 0.9


def test_the_async_client_keeps_its_connection_and_opens_anew_after_closing(service):
    service.json("/a", 200, {"n": 1})

    async def run() -> list[Any]:
        client = AsyncServiceClient("calendar", service.url, "t-bot")
        try:
            results = [await client.get("/a"), await client.get("/a")]
            await client.aclose()
            results.append(await client.post("/a", json={}, idempotency_key="k"))
            return results
        finally:
            await client.aclose()

    assert asyncio.run(run()) == [{"n": 1}] * 3
    assert [s.method for s in service.seen] == ["GET", "GET", "POST"]


@pytest.fixture
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("https_proxy", "http_proxy", "all_proxy", "no_proxy", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_plain_http_calls_do_not_load_the_ca_bundle(service, no_proxy_environment):
    from shared import http

    no_proxy_environment.setattr(http, "_SSL", None)
    service.json("/x", 200, {})
    assert ServiceClient("calendar", service.url, None).get("/x") == {}
    assert http._SSL is None  # the CA bundle (~0.5 MB parsed) is read for https:// only
    context = http._ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


def test_a_call_through_a_proxy_names_the_whole_url_and_its_credentials(service, client, no_proxy_environment):
    proxy = service.url.replace("http://", "http://user:p%40ss@")
    no_proxy_environment.setenv("HTTP_PROXY", proxy)
    service.json("http://calendar.invalid:8791/api/x", 200, {"via": "proxy"})
    assert client("http://calendar.invalid:8791")("GET", "/api/x", params={"a": "b c"}) == {"via": "proxy"}
    [seen] = service.seen
    assert seen.target == "http://calendar.invalid:8791/api/x?a=b+c"
    assert seen.headers["host"] == "calendar.invalid:8791"
    assert seen.headers["authorization"] == "Bearer t-bot"
    assert seen.headers["proxy-authorization"] == "Basic " + base64.b64encode(b"user:p@ss").decode()

    service.seen.clear()
    no_proxy_environment.setenv("NO_PROXY", "localhost,other.invalid")
    client("http://calendar.invalid:8791")("GET", "/api/x")
    assert len(service.seen) == 1
    no_proxy_environment.setenv("NO_PROXY", "localhost,calendar.invalid")
    with pytest.raises(ServiceUnavailable):  # now straight to calendar.invalid, which does not exist
        client("http://calendar.invalid:8791", retries=0)("GET", "/api/x")
    assert len(service.seen) == 1


def test_an_https_call_through_a_proxy_asks_for_a_tunnel(service, client, no_proxy_environment):
    no_proxy_environment.setenv("HTTPS_PROXY", service.url.replace("http://", "http://user:pw@"))
    no_proxy_environment.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # for http:// URLs only
    with pytest.raises(ServiceUnavailable):  # the proxy refuses the tunnel (404)
        client("https://calendar.invalid", retries=0)("GET", "/api/x")
    [seen] = service.seen
    assert (seen.method, seen.target) == ("CONNECT", "calendar.invalid:443")
    assert seen.headers["proxy-authorization"] == "Basic " + base64.b64encode(b"user:pw").decode()


ENVIRONMENTS = [
    {},
    {"HTTP_PROXY": "http://proxy.example:3128"},
    {"http_proxy": "proxy.example:3128", "HTTP_PROXY": "http://other.example:1"},  # lower case wins, scheme added
    {"HTTPS_PROXY": "http://tls-proxy.example:3128", "ALL_PROXY": "http://all.example:8080"},
    {"ALL_PROXY": "https://all.example", "NO_PROXY": "example.com, .corp.example,10.0.0.7,::1,localhost"},
    {"ALL_PROXY": "http://all.example", "no_proxy": "http://example.com,svc.example:8443,10.0.0.0/8"},
    {"ALL_PROXY": "http://all.example", "NO_PROXY": "*"},
    {"HTTP_PROXY": "http://proxy.example", "REQUEST_METHOD": "GET", "ALL_PROXY": "http://all.example"},
]
URLS = ["http://example.com/x", "https://www.example.com/x", "http://notexample.com/", "https://corp.example/",
        "http://a.corp.example:8080/", "http://10.0.0.7:8791/", "http://10.0.0.8/", "http://[::1]:8000/",
        "http://localhost:8791/", "https://svc.example:8443/", "https://svc.example/", "http://10.0.0.0/"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_proxy_for_a_url_is_the_one_httpx_chose(environment, no_proxy_environment):
    import httpx

    from shared.http import _proxy_for

    for name, value in environment.items():
        no_proxy_environment.setenv(name, value)
    reference = httpx.Client()  # trust_env: its proxies from the same environment
    for url in URLS:
        transport = reference._transport_for_url(httpx.URL(url))
        pool = getattr(transport, "_pool", None)
        proxy_url = getattr(pool, "_proxy_url", None)
        expected = None if proxy_url is None else (proxy_url.scheme.decode(), proxy_url.host.decode(),
                                                    proxy_url.port)
        target = httpx.URL(url)
        chosen = _proxy_for(target.scheme, target.host, target.port)
        ours = None if chosen is None else (urlsplit(chosen).scheme, urlsplit(chosen).hostname,
                                            urlsplit(chosen).port)
        assert ours == expected, (environment, url)
    reference.close()


@pytest.mark.parametrize("path", ["/api/v1/café x/a%2Fb", "/a%zz/100%", "/x?a=b c&d=%20", "", "/a{b}`|^[]",
                                  "/é?ü=1"])
def test_a_path_is_percent_encoded_as_httpx_encoded_it(path):
    import httpx

    from shared.http import _target

    url = "http://127.0.0.1:8791" + path
    assert _target(urlsplit(url), None) == httpx.Request("GET", url).url.raw_path.decode()


def test_an_encoded_path_reaches_the_service_and_a_missing_url_is_unavailable(service, no_proxy_environment):
    service.json("/api/v1/caf%C3%A9%20x/a%2Fb", 200, {})
    ServiceClient("calendar", service.url, None).get("/api/v1/café x/a%2Fb", params={"q": "1"})
    assert service.seen[0].target == "/api/v1/caf%C3%A9%20x/a%2Fb?q=1"
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as unavailable:  # calendar's deliberation URL may be unset
        ServiceClient("deliberation", "", None, retries=1).get("/api/v1/x")
    assert "http://" in unavailable.value.log_message
    assert time.monotonic() - started >= 0.2  # retried, as httpx's UnsupportedProtocol was
