"""The app manifest declares everything the adapter listens to, all at the one /slack/events URL."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import adapters.slack
from adapters.slack.commands import SHORTCUT_SUMMARIZE

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yaml"


def test_manifest_covers_commands_shortcuts_events_and_scopes() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    commands = {c["command"]: c for c in features["slash_commands"]}
    assert {"/ask", "/summarize", "/kbot-admin"} <= commands.keys()
    assert [s["callback_id"] for s in features["shortcuts"] if s["type"] == "message"] == [SHORTCUT_SUMMARIZE]
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "message.channels", "assistant_thread_started"} <= events
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "assistant:write",
        "chat:write",
        "commands",
        "im:history",
        "channels:history",
        "files:read",
        "users:read",
    } <= scopes
    urls = {c["url"] for c in commands.values()} | {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] is True
    assert "assistant_view" in features


def test_readme_lists_the_manifests_scopes_and_links_it() -> None:
    """An admin adding scopes by hand follows the README: it must name every scope the manifest asks for
    (channels:read & co. back the experts-channel membership check), and its links must resolve."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    para = readme.split("The manifest asks for these bot scopes:", 1)[1].split("It subscribes", 1)[0]
    listed = set(re.findall(r"`([a-z_.:]+)`", para))
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert listed == set(manifest["oauth_config"]["scopes"]["bot"])
    assert "](../adapters/" not in readme  # README.md sits at the repository root
