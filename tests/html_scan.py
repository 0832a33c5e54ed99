"""What of an attack is live in a parsed HTML page: the check of the built-site tests."""

from __future__ import annotations

import lxml.html

#: Attributes whose URL a browser follows or loads.
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset")
#: The site's own scripts (files the Jekyll format ships: the search page's), the only
#: scripts a built page may load; never inline, never from the source.
SITE_SCRIPTS = ("/assets/js/search.js",)
#: Elements the archive never shows: each can run or load code.
ACTIVE_ELEMENTS = ("iframe", "object", "embed", "svg", "math", "form", "base", "frame", "applet")


def hostile_traces(doc: lxml.html.HtmlElement) -> list[str]:
    """What of the source's attacks is live in a parsed page: scripts, handlers, script URLs."""
    found = [f"<script> {lxml.html.tostring(s)[:80]!r}" for s in doc.iter("script")
             if not is_site_script(s)]
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
            if name.lower() in URL_ATTRIBUTES:
                # Browsers ignore white space and controls inside a scheme ("java\tscript:").
                scheme = "".join(ch for ch in value if ch > " ").lower().split(":", 1)[0]
                if scheme in ("javascript", "data", "vbscript"):
                    found.append(f"<{element.tag} {name}={value[:40]!r}>")
        if element.tag in ACTIVE_ELEMENTS or (
            element.tag == "meta" and element.get("http-equiv") is not None
        ):
            found.append(f"<{element.tag}>")
    return found


def is_site_script(script: lxml.html.HtmlElement) -> bool:
    """A ``<script src>`` of one of :data:`SITE_SCRIPTS` (below the site's base URL), empty."""
    source = script.get("src") or ""
    return (not (script.text or "").strip() and len(script) == 0 and source.startswith("/")
            and not source.startswith("//")
            and source.endswith(SITE_SCRIPTS))
