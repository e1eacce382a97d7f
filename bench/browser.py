"""HTTP log-in for the benchmark: a real browser session (the login form, its CSRF token, the session cookie)."""

import re
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Browser:
    """A cookie-keeping HTTP client for the log-in (follows redirects itself).

    The session cookie is ``Secure`` in production (``NUANXIN_ENV=production``), as it should be behind
    HTTPS; this loopback benchmark speaks plain HTTP, so cookies are kept here by hand (a cookie jar would
    refuse to send a Secure cookie over HTTP), just as wrk sends them in a ``Cookie`` header.
    """

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.token = None

    def open(self, path: str, *, data: dict | None = None) -> tuple[int, str]:
        for _hop in range(5):
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            headers = {"Cookie": self.cookie} if self.cookies else {}
            request = urllib.request.Request(self.base + path, data=body, headers=headers)
            try:
                response = _OPENER.open(request, timeout=30)
            except urllib.error.HTTPError as error:
                response = error
            with response:
                for header in response.headers.get_all("Set-Cookie") or []:
                    name, _, value = header.split(";", 1)[0].partition("=")
                    self.cookies[name.strip()] = value.strip()
                text = response.read().decode()
                location = response.headers.get("Location")
                if response.status in (301, 302, 303, 307, 308) and location:
                    path, data = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl(), None
                    continue
                return response.status, text
        raise RuntimeError(f"too many redirects from {path}")

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def login(self, phone: str, password: str, landing: str) -> "Browser":
        status, page = self.open("/login")
        assert status == 200, status
        status, page = self.open("/login", data={"csrf_token": self.csrf(page), "phone": phone, "password": password})
        assert status == 200 and "/logout" in page, f"log-in as {phone} failed: {status}"
        status, page = self.open(landing)
        assert status == 200, (landing, status)
        self.token = self.csrf(page)
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def fetch(base: str, path: str, headers: dict, method: str = "GET", body: str | None = None) -> tuple[int, str]:
    """One request exactly as wrk sends it (no cookie jar, no redirects followed)."""
    request = urllib.request.Request(base + path, data=body.encode() if body else None, headers=headers,
                                     method=method)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
