"""``kbot teams package``: a zip Teams accepts (manifest at the root, ids filled in, icon sizes)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from adapters.cli.main import main
from adapters.teams.icons import png_size
from adapters.teams.package import teams_app_id_for, validate_manifest, write_package
from bot.errors import InputError

BOT_ID = "8e2a4a8c-5d0e-4b43-9d8c-0f1b7d2b3c4d"


def test_cli_writes_a_sideloadable_zip(tmp_path: Path) -> None:
    out = tmp_path / "pkg" / "kbot.zip"
    assert main(["teams", "package", "--app-id", BOT_ID, "--out", str(out), "--version", "1.4.2"]) == 0
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert "{{" not in json.dumps(manifest)
    assert manifest["version"] == "1.4.2"
    assert manifest["id"] == teams_app_id_for(BOT_ID) != BOT_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    command = manifest["composeExtensions"][0]["commands"][0]
    assert command["id"] == "summarizeThread" and command["context"] == ["message"] and command["type"] == "action"
    assert manifest["webApplicationInfo"]["id"] == BOT_ID
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in rsc


def test_app_id_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", BOT_ID)
    out = tmp_path / "env.zip"
    assert main(["teams", "package", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["bots"][0]["botId"] == BOT_ID


@pytest.mark.parametrize("args", [[], ["--app-id", "not-a-guid"], ["--app-id", BOT_ID, "--version", "v1"]])
def test_bad_input_is_a_one_line_error(tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "bad.zip"
    assert main(["teams", "package", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kbot: error:") and "\n" not in err
    assert not out.exists()


def test_validation_catches_a_broken_manifest(tmp_path: Path) -> None:
    source = tmp_path / "manifest"
    source.mkdir()
    template = Path(__file__).resolve().parents[2] / "adapters" / "teams" / "manifest"
    manifest = json.loads((template / "manifest.json").read_text())
    manifest["description"]["short"] = "x" * 81
    (source / "manifest.json").write_text(json.dumps(manifest))
    for name in ("color.png", "outline.png"):
        (source / name).write_bytes((template / name).read_bytes())
    with pytest.raises(InputError, match="description.short"):
        write_package(tmp_path / "x.zip", BOT_ID, source=source)
    manifest["description"]["short"] = "ok"
    (source / "manifest.json").write_text(json.dumps(manifest))
    (source / "outline.png").write_bytes((template / "color.png").read_bytes())  # wrong size
    with pytest.raises(InputError, match="32x32"):
        write_package(tmp_path / "x.zip", BOT_ID, source=source)


def test_shipped_manifest_validates() -> None:
    from adapters.teams.package import render_manifest

    validate_manifest(render_manifest(BOT_ID))
