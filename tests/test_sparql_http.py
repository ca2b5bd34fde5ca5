"""HTTP to SPARQL services: credentials from the environment, retries on 5xx, clear errors.

A small standard-library HTTP server on a loopback port plays a store that fails, then answers.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ccus_kg.errors import EndpointError
from ccus_kg.sparql_http import session, sparql_query

ANSWER = {"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "1"}}]}}


class FlakyStore(BaseHTTPRequestHandler):
    """Answers HTTP 503 to the first ``failures`` requests, then SPARQL results; 401 without the right credentials."""

    failures = 0
    seen: list[dict] = []
    expected_auth: str | None = None

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen.append(dict(self.headers))
        if self.expected_auth and self.headers.get("Authorization") != self.expected_auth:
            self._send(401, b"authentication required", "text/plain")
        elif len(type(self).seen) <= type(self).failures:
            self._send(503, b"busy", "text/plain")
        else:
            self._send(200, json.dumps(ANSWER).encode(), "application/sparql-results+json")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def store():
    FlakyStore.failures, FlakyStore.seen, FlakyStore.expected_auth = 0, [], None
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


def test_retries_5xx_then_answers(store):
    FlakyStore.failures = 2
    rows = list(sparql_query(store, "SELECT ?n WHERE {}", "SELECT"))
    assert len(rows) == 1 and len(FlakyStore.seen) == 3


def test_gives_up_after_three_retries(store):
    FlakyStore.failures = 10
    with pytest.raises(EndpointError, match="HTTP 503") as info:
        sparql_query(store, "SELECT ?n WHERE {}", "SELECT")
    assert info.value.status == 503 and len(FlakyStore.seen) == 4


def test_bearer_token_from_environment(store):
    FlakyStore.expected_auth = "Bearer s3cret"
    sparql_query(store, "SELECT ?n WHERE {}", "SELECT", s=session({"CCUS_KG_STORE_TOKEN": "s3cret"}))


def test_basic_auth_from_environment(store):
    FlakyStore.expected_auth = "Basic " + base64.b64encode(b"ana:pa:ss").decode()
    sparql_query(store, "SELECT ?n WHERE {}", "SELECT",
                 s=session({"CCUS_KG_STORE_USER": "ana", "CCUS_KG_STORE_PASSWORD": "pa:ss"}))


def test_refused_credentials_are_named(store):
    FlakyStore.expected_auth = "Bearer right"
    with pytest.raises(EndpointError, match="HTTP 401.*CCUS_KG_STORE_TOKEN"):
        sparql_query(store, "SELECT ?n WHERE {}", "SELECT", s=session({"CCUS_KG_STORE_TOKEN": "wrong"}))
