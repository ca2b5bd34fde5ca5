"""HTTP to SPARQL services: one configured ``requests`` session (authentication, timeouts,
retries) and the SPARQL 1.1 Protocol query operation.

Used by ``ccus-kg query --endpoint`` (SPARQL 1.1 Protocol, W3C Recommendation 2013, §2.1
query operation) and ``ccus-kg push`` (SPARQL 1.1 Graph Store HTTP Protocol).

Authentication comes from the environment, never from the command line (where it would be
seen in ``ps`` and shell history):

- ``CCUS_KG_STORE_TOKEN``: sent as ``Authorization: Bearer TOKEN`` (RFC 6750);
- else ``CCUS_KG_STORE_USER`` and ``CCUS_KG_STORE_PASSWORD``: HTTP Basic (RFC 7617).

Answers 500, 502, 503 and 504 are retried (3 times, waiting 0.5, 1, 2 seconds); a refused
connection is retried once.  Every failure raises :class:`~ccus_kg.errors.EndpointError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ccus_kg import __version__
from ccus_kg.errors import EndpointError

__all__ = ["session", "send", "sparql_query", "TOKEN_VAR", "USER_VAR", "PASSWORD_VAR", "DEFAULT_TIMEOUT"]

TOKEN_VAR, USER_VAR, PASSWORD_VAR = "CCUS_KG_STORE_TOKEN", "CCUS_KG_STORE_USER", "CCUS_KG_STORE_PASSWORD"
#: Seconds to wait for an answer (connecting waits at most 10 s of it).
DEFAULT_TIMEOUT = 60.0
_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_TYPES = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
                "application/rdf+xml": ox.RdfFormat.RDF_XML, "text/plain": ox.RdfFormat.N_TRIPLES}


def session(env: Mapping[str, str] | None = None) -> requests.Session:
    """A :class:`requests.Session` with retries on 5xx and the credentials of ``env`` (default
    ``os.environ``; see the module docstring)."""
    env = os.environ if env is None else env
    s = requests.Session()
    retry = Retry(total=3, connect=1, read=0, status=3, backoff_factor=0.5, status_forcelist=(500, 502, 503, 504),
                  allowed_methods=None, raise_on_status=False, respect_retry_after_header=True)
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    s.headers["User-Agent"] = f"ccus-kg/{__version__}"
    if env.get(TOKEN_VAR):
        s.headers["Authorization"] = f"Bearer {env[TOKEN_VAR]}"
    elif env.get(USER_VAR):
        s.auth = (env[USER_VAR], env.get(PASSWORD_VAR, ""))
    return s


def send(s: requests.Session, method: str, url: str, *, timeout: float = DEFAULT_TIMEOUT, what: str = "request",
         **kwargs) -> requests.Response:
    """Send one request; return the response when its status is 2xx.

    Raises :class:`EndpointError` naming ``what`` and ``url`` when the server cannot be reached,
    does not answer within ``timeout`` seconds, or answers with another status (the first 300
    characters of its body are quoted).
    """
    try:
        response = s.request(method, url, timeout=(min(10.0, timeout), timeout), **kwargs)
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower():  # a read timeout after retries arrives as a ConnectionError
            raise EndpointError(f"{what}: {url}: no answer within {timeout:g} s (--timeout)", url=url) from None
        reason = "connection refused: is the store running?" if "refused" in str(exc).lower() else f"cannot connect ({exc})"
        raise EndpointError(f"{what}: {url}: {reason}", url=url) from None
    except requests.exceptions.Timeout:
        raise EndpointError(f"{what}: {url}: no answer within {timeout:g} s (--timeout)", url=url) from None
    except requests.exceptions.RequestException as exc:
        raise EndpointError(f"{what}: {url}: {exc}", url=url) from None
    if not 200 <= response.status_code < 300:
        body = " ".join(response.text.split())[:300]
        hint = " (set CCUS_KG_STORE_TOKEN, or CCUS_KG_STORE_USER and CCUS_KG_STORE_PASSWORD)" if response.status_code in (401, 403) else ""
        raise EndpointError(f"{what}: {url} answered HTTP {response.status_code} {response.reason}{hint}: {body}",
                            url=url, status=response.status_code)
    return response


def sparql_query(endpoint: str, text: str, form: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = (),
                 timeout: float = DEFAULT_TIMEOUT, s: requests.Session | None = None):
    """Run ``text`` on a SPARQL 1.1 Protocol ``endpoint`` (POST, form-encoded, §2.1.2).

    ``form``: ``SELECT``/``ASK`` (asks for SPARQL 1.1 Query Results JSON) or ``CONSTRUCT``/
    ``DESCRIBE`` (asks for N-Triples or Turtle).  ``default_graphs``/``named_graphs`` are sent as
    ``default-graph-uri``/``named-graph-uri`` (the RDF dataset of the query, §2.1.4).
    Returns a :class:`pyoxigraph.QuerySolutions`, a :class:`pyoxigraph.QueryBoolean`, or a
    list of :class:`pyoxigraph.Triple`.  Raises :class:`EndpointError`.
    """
    s = s or session()
    data: list[tuple[str, str]] = [("query", text)]
    data += [("default-graph-uri", g) for g in default_graphs] + [("named-graph-uri", g) for g in named_graphs]
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5" if graph_form else f"{_RESULTS_JSON}, application/json;q=0.9"
    response = send(s, "POST", endpoint, timeout=timeout, what="query", data=data, headers={"Accept": accept})
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    try:
        if graph_form:
            fmt = _GRAPH_TYPES.get(content_type)
            if fmt is None:
                raise EndpointError(f"query: {endpoint} answered {content_type or 'no Content-Type'}, not an RDF format", url=endpoint)
            return [q.triple for q in ox.parse(response.content, format=fmt)]
        if content_type not in (_RESULTS_JSON, "application/json"):
            raise EndpointError(f"query: {endpoint} answered {content_type or 'no Content-Type'}, not SPARQL results JSON", url=endpoint)
        return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise EndpointError(f"query: {endpoint}: the answer cannot be parsed: {exc}", url=endpoint) from None
