"""Signed-in browser sessions: the real sign-in form, CSRF, cookies, and Server-Timing read from each reply.

``Session`` holds everything a scenario uses; a subclass only sends requests. ``HttpSession`` speaks HTTP
over one keep-alive connection (stdlib ``http.client``): each benchmark client thread has its own. The
test suite drives the same scenarios through Django's test client with another subclass.
"""

import http.client
import json
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_COOKIE = "csrftoken"
SIGN_IN = "/sign-in/"
SERVER_TIMING_METRIC = re.compile(r"\s*([\w-]+)((?:\s*;\s*[\w-]+=(?:\"[^\"]*\"|[^;,]*))*)")
QUERY_COUNT = re.compile(r"(\d+) quer")


class SignInFailed(RuntimeError):
    """The password was refused or the server asked for more (e.g. a second factor). Never retried:
    repeated failures would lock the account out (django-axes)."""


@dataclass
class Reply:
    status: int
    body: str
    headers: dict  # lower-case names
    seconds: float
    timing: dict = field(default_factory=dict)  # Server-Timing: {"db": {"dur": ..., "desc": ...}, "app": {...}}

    @property
    def db_ms(self) -> float | None:
        return _duration(self.timing.get("db"))

    @property
    def app_ms(self) -> float | None:
        return _duration(self.timing.get("app"))

    @property
    def queries(self) -> int | None:
        match = QUERY_COUNT.search(self.timing.get("db", {}).get("desc", ""))
        return int(match.group(1)) if match else None

    def json(self):
        return json.loads(self.body)


def _duration(metric) -> float | None:
    try:
        return float(metric["dur"])
    except (TypeError, KeyError, ValueError):
        return None


def parse_server_timing(header: str) -> dict:
    """``db;dur=1.5;desc="3 queries", app;dur=9`` → {"db": {"dur": "1.5", "desc": "3 queries"}, "app": {...}}."""
    metrics = {}
    for match in SERVER_TIMING_METRIC.finditer(header or ""):
        params = {}
        for part in match.group(2).split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                params[name] = value.strip().strip('"')
        metrics[match.group(1)] = params
    return metrics


def path_of(url: str) -> str:
    """The path and query of a link, absolute (as DRF writes them) or not."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class Session:
    """One signed-in user. Subclasses implement ``send`` and ``cookie``."""

    def __init__(self):
        self.username = None

    def send(self, method: str, path: str, body: bytes | None, headers: dict) -> Reply:
        raise NotImplementedError

    def cookie(self, name: str) -> str | None:
        raise NotImplementedError

    def get(self, path: str) -> Reply:
        return self.send("GET", path, None, {})

    def post_form(self, path: str, fields: dict) -> Reply:
        body = urlencode({**fields, "csrfmiddlewaretoken": self.cookie(CSRF_COOKIE) or ""}).encode()
        return self.send("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, data: dict) -> Reply:
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookie(CSRF_COOKIE) or ""}
        return self.send("POST", path, json.dumps(data).encode(), headers)

    def sign_in(self, username: str, password: str) -> "Session":
        """Through the sign-in page, as a browser does: GET the form (sets the CSRF cookie), then POST it."""
        form = self.get(SIGN_IN)
        if form.status != 200:
            raise SignInFailed(f"{SIGN_IN} answered {form.status}")
        reply = self.post_form(SIGN_IN, {"username": username, "password": password})
        location = reply.headers.get("location", "")
        if reply.status != 302 or SIGN_IN in location or "two-factor" in location:
            raise SignInFailed(f"{username} could not sign in (HTTP {reply.status}, to {location or 'nowhere'})")
        self.username = username
        return self


class HttpSession(Session):
    """A session over one keep-alive HTTP connection, reopened once if the server closed it while idle."""

    RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)

    def __init__(self, base_url: str, timeout: float = 120):
        super().__init__()
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise ValueError(f"only plain http:// targets are supported, not {base_url!r}")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.cookies: dict[str, str] = {}
        self.connection = None

    def cookie(self, name: str) -> str | None:
        return self.cookies.get(name)

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method: str, path: str, body: bytes | None, headers: dict) -> Reply:
        headers = {**headers, "Host": f"{self.host}:{self.port}", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        reused = self.connection is not None
        try:
            return self._exchange(method, path, body, headers)
        except self.RETRYABLE:
            self.close()
            if not reused:
                raise
            # The server (gunicorn's keep-alive timeout, a worker restart) closed the idle connection
            # before reading the request: nothing was done, so sending it again on a new connection is safe.
            return self._exchange(method, path, body, headers)

    def _exchange(self, method, path, body, headers) -> Reply:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        seconds = time.perf_counter() - started
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        if response.will_close:
            self.close()
        reply_headers = {name.lower(): value for name, value in response.getheaders()}
        return Reply(
            status=response.status,
            body=content.decode("utf-8", "replace"),
            headers=reply_headers,
            seconds=seconds,
            timing=parse_server_timing(reply_headers.get("server-timing", "")),
        )

    def _keep_cookies(self, set_cookie_headers):
        for header in set_cookie_headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
