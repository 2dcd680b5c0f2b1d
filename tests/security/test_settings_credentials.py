"""Issue 19 item 10: credentials in source settings are refused like the other secret patterns,
and the value is never echoed."""

from __future__ import annotations

import pytest

from bot.admin.validation import build_source
from bot.errors import InputError
from ingest.registry import SOURCE_KINDS

SECRET = "hunter2Sup3rS3cret"


def add(kind: str, settings: dict, audience: list[str] | None = None):
    return build_source(kind=kind, name="wiki", settings=settings, kinds=SOURCE_KINDS, audience=audience)


@pytest.mark.parametrize(
    ("kind", "settings"),
    [
        ("mediawiki", {"api_url": f"https://bot:{SECRET}@wiki.example.com/w/api.php"}),
        ("mediawiki", {"api_url": f"https://wiki.example.com/w/api.php?token={SECRET}"}),
        ("mediawiki", {"api_url": f"https://wiki.example.com/w/api.php?x=1&access_token={SECRET}"}),
        (
            "confluence",
            {
                "base_url": f"https://a:{SECRET}@acme.atlassian.net/wiki",
                "spaces": ["HR"],
                "token_ref": "env:CONF_TOKEN",
            },
        ),
        (
            "mediawiki",
            {
                "api_url": "https://wiki.example.com/w/api.php",
                "username": f"Kbot@sync:{SECRET}",
                "password_ref": "env:WIKI_PW",
            },
        ),
    ],
)
def test_credentials_in_settings_are_refused_without_echo(kind: str, settings: dict) -> None:
    with pytest.raises(InputError) as info:
        add(kind, settings)
    assert SECRET not in str(info.value)
    assert "Nothing was saved" in str(info.value)


def test_a_slack_token_as_audience_is_refused_without_echo() -> None:
    token = "xoxb-123456789012-123456789012-" + "a" * 24
    with pytest.raises(InputError) as info:
        add("mediawiki", {"api_url": "https://wiki.example.com/w/api.php"}, audience=["hr", token])
    assert token not in str(info.value) and "secret" in str(info.value)


def test_ordinary_settings_still_pass() -> None:
    source = add(
        "mediawiki",
        {
            "api_url": "https://wiki.example.com/w/api.php?action=query",
            "username": "Kbot@sync",
            "password_ref": "env:WIKI_PW",
        },
        audience=["hr", "it staff"],
    )
    assert source.settings["username"] == "Kbot@sync" and source.audience == ["hr", "it staff"]
