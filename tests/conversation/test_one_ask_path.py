"""One ask path: the CLI, Slack and Teams front ends give the same citations under the same access rules.

A tiny folder corpus (three sources, the same topic in each) is synced into the embedded store with the
HashEmbedder fake. ``eng-docs`` is disabled, and channel C1 (Slack) / the Teams channel answer only from
``handbook`` and ``eng-docs``: so every front end must cite ``handbook`` alone.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from adapters.cli.main import build_parser
from adapters.wiring import App, AppOverrides
from bot.settings import load_settings
from tests.fakes import HashEmbedder
from tests.slack.support import SlackHarness
from tests.teams.conftest import RigFactory

QUESTION = "How is the production database failover triggered?"
TEAMS_CHANNEL = "19:eng-channel@thread.tacv2"
DOCS = {
    "handbook": "handbook-failover",
    "eng-docs": "engineering-failover",
    "ops": "operations-failover",
}
_TITLE = re.compile(r"Production database failover \((handbook|eng-docs|ops)\)")


def write_corpus(root: Path) -> None:
    for source, stem in DOCS.items():
        folder = root / source
        folder.mkdir(parents=True)
        (folder / f"{stem}.md").write_text(
            f"# Production database failover ({source})\n\n"
            f"The production database failover is triggered by the {source} on-call engineer "
            f"running the failover runbook step {len(source)} after the primary database stops answering.\n"
        )


def cited(payload: Any) -> set[str]:
    """Which sources' documents a front end's reply cites (by their titles, which name the source)."""
    return set(_TITLE.findall(json.dumps(payload)))


async def kbot(app: App, *argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The real parser and command handler, run against ``app``."""
    args = build_parser().parse_args(list(argv))
    code = await args.handler(args, app)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def cli_app(embedder: HashEmbedder) -> App:
    return App(load_settings(_env_file=None), AppOverrides(embedder=embedder))


async def configure(tmp_path: Path, embedder: HashEmbedder, capsys: pytest.CaptureFixture[str]) -> None:
    write_corpus(tmp_path / "kb")
    app = cli_app(embedder)
    for source in DOCS:
        await kbot(app, "sources", "add", "folder", source, "--set", f"path={tmp_path / 'kb' / source}", capsys=capsys)
    await kbot(app, "sync", capsys=capsys)
    await kbot(app, "sources", "disable", "eng-docs", capsys=capsys)
    await kbot(app, "channels", "set", "slack", "C1", "--sources", "handbook,eng-docs", capsys=capsys)
    await kbot(app, "channels", "set", "teams", TEAMS_CHANNEL, "--sources", "handbook,eng-docs", capsys=capsys)
    await app.aclose()


async def test_cli_ask_and_chat_never_cite_a_disabled_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = HashEmbedder()
    write_corpus(tmp_path / "kb")
    app = cli_app(embedder)
    await kbot(
        app,
        "sources",
        "add",
        "folder",
        "eng-docs",
        "--set",
        f"path={tmp_path / 'kb' / 'eng-docs'}",
        "--audience",
        "eng",
        capsys=capsys,
    )
    await kbot(app, "sync", capsys=capsys)
    before = json.loads(await kbot(app, "ask", "--json", "--group", "eng", QUESTION, capsys=capsys))
    assert cited(before) == {"eng-docs"}  # the corpus answers while the source is enabled
    monkeypatch.setattr("sys.stdin", io.StringIO(QUESTION + "\n"))
    assert cited(await kbot(app, "chat", "--group", "eng", capsys=capsys)) == {"eng-docs"}
    await kbot(app, "sources", "disable", "eng-docs", capsys=capsys)
    monkeypatch.setattr("sys.stdin", io.StringIO(QUESTION + "\n"))
    assert cited(await kbot(app, "chat", "--group", "eng", capsys=capsys)) == set()
    after = json.loads(await kbot(app, "ask", "--json", "--group", "eng", QUESTION, capsys=capsys))
    assert cited(after) == set() and after["citations"] == []
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"id": 1, "question": QUESTION}) + "\n")
    rows = await kbot(app, "ask", "--group", "eng", "--batch", str(batch), capsys=capsys)
    assert cited(json.loads(rows)) == set()
    await app.aclose()


async def test_same_question_same_citations_in_cli_slack_and_teams(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_rig: RigFactory
) -> None:
    embedder = HashEmbedder()
    await configure(tmp_path, embedder, capsys)

    app = cli_app(embedder)
    cli = json.loads(
        await kbot(app, "ask", "--json", "--group", "eng", "--channel", "slack:C1", QUESTION, capsys=capsys)
    )
    await app.aclose()

    async with SlackHarness(answerer=None, overrides=AppOverrides(embedder=embedder)) as slack:
        await slack.post_event(
            {
                "type": "event_callback",
                "team_id": "T111",
                "api_app_id": "A111",
                "event_id": "EvAsk1",
                "event_time": 1595926230,
                "event": {
                    "type": "app_mention",
                    "text": f"<@UBOT> {QUESTION}",
                    "user": "W222",
                    "ts": "1595926230.009600",
                    "team": "T111",
                    "channel": "C1",
                    "event_ts": "1595926230.009600",
                },
            }
        )
        await slack.settle()
        slack_replies = [c.args for c in slack.api.calls if c.method.startswith("chat.")]

    rig = await make_rig(answerer=None, embedder=embedder)
    response = await rig.post(
        {
            "type": "message",
            "serviceUrl": rig.connector.url + "/",
            "id": "1700000000001",
            "channelId": "msteams",
            "text": f"<at>kbot</at> {QUESTION}",
            "entities": [  # in a channel Teams delivers every post: the bot answers only its mentions
                {"type": "mention", "text": "<at>kbot</at>",
                 "mentioned": {"id": f"28:{rig.app.settings.microsoft_app_id}", "name": "kbot"}}
            ],
            "from": {"id": "29:user-1", "aadObjectId": "user-1", "name": "Jane"},
            "recipient": {"id": f"28:{rig.app.settings.microsoft_app_id}", "name": "kbot"},
            "conversation": {
                "id": f"{TEAMS_CHANNEL};messageid=1700000000001",
                "conversationType": "channel",
                "tenantId": "tenant-1",
            },
            "channelData": {
                "tenant": {"id": "tenant-1"},
                "team": {"id": "19:team@thread.tacv2"},
                "channel": {"id": TEAMS_CHANNEL},
            },
        }
    )
    assert response.status in (200, 201, 202)
    teams_replies = [
        p.body for p in await rig.connector.wait_for(lambda: any(p.body.get("entities") for p in rig.connector.posts()))
    ]

    assert cited(cli) == {"handbook"}
    assert cited(slack_replies) == cited(cli)
    assert cited(teams_replies) == cited(cli)
