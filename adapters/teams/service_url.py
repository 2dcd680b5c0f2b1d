"""Which ``serviceUrl`` a Teams reply may be POSTed to.

The Bot Connector tells the bot where to reply in ``activity.serviceUrl``; botbuilder then POSTs the
answer (with the bot's own token) to ``{serviceUrl}/v3/conversations/...``. A forged or tampered
activity could point that at any host or path, so it is checked on every activity, authenticated or
not: https, a trusted Teams connector host (the public, GCC, GCC High and DoD endpoints Microsoft
lists as ``TeamsServiceEndpoints``:
https://microsoft.github.io/Agents-for-js/variables/_microsoft_agents-hosting.TeamsServiceEndpoints.html
and regional paths such as ``/amer/``), the default port, and a plain path (no user info, query,
fragment, dot segments or escapes). Emulator mode allows loopback hosts only, with the same path rule.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_PLAIN_PATH = re.compile(r"^(/[A-Za-z0-9_-]+)*/?$")


def is_loopback_host(host: str) -> bool:
    host = host.lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def service_url_problem(url: str, trusted_hosts: set[str], *, emulator: bool) -> str | None:
    """Why ``url`` must not receive replies, or None when it may."""
    if not url or any(c in url for c in "\\@?#%\r\n\t ") :
        return "serviceUrl has characters a Bot Connector URL never has"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "serviceUrl is not a valid URL"
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        return "serviceUrl has no host"
    if not _PLAIN_PATH.match(parts.path or "/"):
        return "serviceUrl path is not a plain connector path"
    if emulator:
        if not is_loopback_host(host) or parts.scheme not in ("http", "https"):
            return "emulator mode replies only to a loopback serviceUrl"
        return None
    if host not in trusted_hosts:
        return f"serviceUrl host {host!r} is not a trusted Teams connector (KBOT_TEAMS_SERVICE_HOSTS)"
    loopback = is_loopback_host(host)
    if parts.scheme != "https" and not loopback:
        return "serviceUrl must use https"
    if port is not None and port != 443 and not loopback:
        return "serviceUrl must use the default https port"
    return None
