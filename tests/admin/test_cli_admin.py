"""``kbot sources|admins|channels`` through the real CLI entry point (store in tmp via KBOT_DB)."""

from __future__ import annotations

import json

import pytest

from adapters.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_lifecycle(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    code, out, _ = run(
        capsys,
        "sources",
        "add",
        "folder",
        "handbook",
        "--set",
        f"path={docs}",
        "--audience",
        "staff,hr",
        "--schedule",
        "6h",
    )
    assert code == 0 and "added folder source 'handbook'" in out
    code, out, _ = run(capsys, "sources", "list", "--json")
    [listed] = json.loads(out)
    assert listed["settings"] == {"path": str(docs), "interval_minutes": 360}
    assert listed["audience"] == ["hr", "staff"] and listed["enabled"] is True
    assert run(capsys, "sources", "disable", "handbook")[0] == 0
    code, out, _ = run(capsys, "sources", "status", "--json")
    assert json.loads(out)[0]["state"] == "disabled"
    code, out, _ = run(capsys, "sources", "status")
    assert "handbook  disabled" in out
    assert run(capsys, "sources", "enable", "handbook")[0] == 0
    code, out, _ = run(capsys, "sources", "remove", "handbook")
    assert code == 0 and "removed source 'handbook' and 0 document(s)" in out
    code, _, err = run(capsys, "sources", "show", "handbook")
    assert code == 1 and err.strip() == "kbot: error: no source named 'handbook'"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["gopher", "x"], "unknown source kind 'gopher'"),
        (["folder", "x"], "missing setting 'path'"),
        (["mediawiki", "x", "--set", "api_url=wiki.example.com/api.php"], "'api_url' is not a valid http(s) URL"),
        (
            [
                "confluence",
                "x",
                "--set",
                "base_url=https://a.atlassian.net/wiki",
                "--set",
                'spaces=["HR"]',
                "--set",
                "email=a@b.c",
                "--set",
                "token_ref=ATATT3xFfGF0T4nXgq1Y2hJk",
            ],
            "must be a secret reference",
        ),
        (["folder", "x", "--set", "path=/x", "--set", "note=xoxb-1234567890-abcdefghijkl"], "a Slack token"),
        (["folder", "x", "--settings-json", "{oops"], "--settings-json is not valid JSON"),
        (["folder", "x", "--set", "path"], "expected key=value"),
    ],
)
def test_invalid_add_is_one_line_error_and_saves_nothing(capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "sources", "add", *argv)
    assert code == 2 and out == ""
    assert err.startswith("kbot: error: ") and message in err and err.count("\n") == 1
    assert "ATATT" not in err and "xoxb" not in err
    assert "no sources configured" in run(capsys, "sources", "list")[1]


def test_admins_channels_and_audit(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    assert run(capsys, "admins", "add", "Dana@Example.com")[0] == 0
    code, out, _ = run(capsys, "admins", "list", "--json")
    assert json.loads(out)[0]["user"] == "dana@example.com"
    assert json.loads(out)[0]["added_by"].startswith("cli:")
    code, _, err = run(capsys, "channels", "set", "slack", "C1", "--sources", "nope")
    assert code == 2 and "unknown source(s): nope" in err
    run(capsys, "sources", "add", "folder", "docs", "--set", f"path={tmp_path}")
    code, out, _ = run(capsys, "channels", "set", "slack", "C1", "--sources", "docs", "--visibility", "ephemeral")
    assert code == 0 and "sources=docs, visibility=ephemeral" in out
    code, out, _ = run(capsys, "admins", "audit", "--json")
    actions = [(e["action"], e["outcome"]) for e in json.loads(out)]
    assert actions[:4] == [
        ("channels.set", "ok"),
        ("sources.add", "ok"),
        ("channels.set", "invalid"),
        ("admins.add", "ok"),
    ]


def test_channel_followups_setting(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: one follow-up setting for Slack and Teams channels (default: Slack on, Teams off)."""
    code, out, _ = run(capsys, "channels", "set", "teams", "19:abc@thread.tacv2", "--followups", "on")
    assert code == 0 and "followups=on" in out
    code, out, _ = run(capsys, "channels", "set", "slack", "C1")
    assert code == 0 and "followups=default" in out
    code, out, _ = run(capsys, "channels", "list", "--json")
    assert {c["channel"]: c["followups"] for c in json.loads(out)} == {"19:abc@thread.tacv2": True, "C1": None}
