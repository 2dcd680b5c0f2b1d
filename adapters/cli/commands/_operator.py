"""The local operator running the CLI: an admin by definition, audited as ``cli:<os user>``."""

from __future__ import annotations

import getpass

from bot.admin.models import Actor


def operator() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "unknown"
    return Actor(user, "cli")
