"""Redirects that stay on the crawl's own sites; every other one is a reported failure.

Scrapy's ``RedirectMiddleware`` follows a redirect anywhere: to another
host, to another port of the same machine (an internal service), to another
scheme.  A source that redirects there would have that answer published.
This subclass follows a redirect only when the target keeps the scheme and
the port of the redirecting URL and is on one of the crawl's hosts: the host
the request was first sent to, the start URL's host, or one of the source's
own article hosts (``ARTICLE_HOSTS`` of the source spec,
``NEWSCRAWL_ARTICLE_HOST``).  A redirect back to an address already in the
chain (an article redirecting to itself) is a loop, refused at once; a
redirect that is followed is not dropped by the duplicate filter (an article
redirected to another one's address would vanish).  Every refusal raises
:class:`~newscrawl.middlewares.refused.Refused` with its reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag, urlsplit

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from newscrawl.middlewares.refused import Refused
from newscrawl.sources import eastmoney as source
from newscrawl.spiders.listing import SITE_KEY

DEFAULT_PORTS = {"http": 80, "https": 443}


class RedirectRefused(Refused):
    """A redirect off the crawl's sites, to another port or scheme, or in a loop."""


def _port(parts: Any) -> int | None:
    try:
        return parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return None


class OffsiteRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, refused off the crawl's hosts (see the module docstring)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        hosts = set(source.ARTICLE_HOSTS)
        configured = settings.get("NEWSCRAWL_ARTICLE_HOST") or ""
        if configured:
            if "://" not in configured:
                configured = f"http://{configured}"
            hosts.add((urlsplit(configured).hostname or "").lower())
        self.article_hosts = frozenset(hosts - {""})

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest as exc:  # Scrapy's "max redirections reached"
            raise RedirectRefused(
                f"more than {self.max_redirect_times} redirects (REDIRECT_MAX_TIMES) "
                f"from {request.meta.get('redirect_urls', [request.url])[0]}"
            ) from exc
        if isinstance(result, Request):
            reason = self.refusal(request, result)
            if reason:
                raise RedirectRefused(reason)
            # Not dropped by the duplicate filter: an article redirected to an
            # address already asked for would vanish without a trace (loops
            # are refused above, and REDIRECT_MAX_TIMES bounds a chain).
            result.dont_filter = True
        return result

    def allowed_hosts(self, request: Request) -> set[str]:
        """The host names a redirect of ``request`` may lead to."""
        first = request.meta.get("redirect_urls", [request.url])[0]
        hosts = {(urlsplit(first).hostname or "").lower(), *self.article_hosts}
        site = request.meta.get(SITE_KEY)
        if site:
            hosts.add((urlsplit(f"//{site}").hostname or "").lower())
        return hosts

    def refusal(self, request: Request, redirected: Request) -> str | None:
        """Why the redirect from ``request`` to ``redirected`` is not followed, or None."""
        here, there = urlsplit(request.url), urlsplit(redirected.url)
        target = redirected.url
        if there.scheme.lower() != here.scheme.lower():
            return f"redirect to another scheme refused: {target}"
        if _port(there) != _port(here):
            return f"redirect to another port refused: {target}"
        if (there.hostname or "").lower() not in self.allowed_hosts(request):
            return f"redirect to another host refused: {target}"
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if urldefrag(target)[0] in {urldefrag(url)[0] for url in chain}:
            return f"redirect loop: {' -> '.join([*chain, target])}"
        return None
