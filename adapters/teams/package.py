"""Build the sideloadable Teams app package: ``manifest.json`` (ids filled in) + icons, zipped at the root."""

from __future__ import annotations

import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from bot.errors import InputError

from .icons import MANIFEST_DIR, png_size

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}


def teams_app_id_for(bot_id: str) -> str:
    """A stable Teams app id per bot registration (the manifest ``id`` must differ per app, not per build)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kbot-teams-app:{bot_id.lower()}"))


def render_manifest(
    bot_id: str, *, version: str = "1.0.0", teams_app_id: str | None = None, source: Path = MANIFEST_DIR
) -> dict[str, Any]:
    if not _GUID.match(bot_id or ""):
        raise InputError(f"the bot's app id must be a GUID (MICROSOFT_APP_ID or --app-id), got {bot_id!r}")
    if not _VERSION.match(version):
        raise InputError(f"--version must look like 1.2.3, got {version!r}")
    app_id = teams_app_id or teams_app_id_for(bot_id)
    if not _GUID.match(app_id):
        raise InputError(f"--teams-app-id must be a GUID, got {app_id!r}")
    text = (source / "manifest.json").read_text(encoding="utf-8")
    for name, value in {"MICROSOFT_APP_ID": bot_id, "TEAMS_APP_ID": app_id, "APP_VERSION": version}.items():
        text = text.replace("{{" + name + "}}", value)
    leftover = re.findall(r"\{\{(\w+)\}\}", text)
    if leftover:
        raise InputError(f"manifest.json has unfilled placeholders: {', '.join(sorted(set(leftover)))}")
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def validate_manifest(manifest: dict[str, Any], source: Path = MANIFEST_DIR) -> None:
    """The checks Teams' validator fails on most often; raises InputError naming the first problem."""
    for key in (
        "$schema",
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
    ):
        if key not in manifest:
            raise InputError(f"manifest.json: missing {key!r}")
    _limit(manifest["name"].get("short", ""), 30, "name.short")
    _limit(manifest["name"].get("full", ""), 100, "name.full")
    _limit(manifest["description"].get("short", ""), 80, "description.short")
    _limit(manifest["description"].get("full", ""), 4000, "description.full")
    if not re.match(r"^#[0-9a-fA-F]{6}$", manifest["accentColor"]):
        raise InputError("manifest.json: accentColor must be #RRGGBB")
    bots = manifest.get("bots") or []
    if len(bots) != 1 or not _GUID.match(bots[0].get("botId", "")):
        raise InputError("manifest.json: expected exactly one bot with a GUID botId")
    for command_list in bots[0].get("commandLists", []):
        if len(command_list["commands"]) > 10:
            raise InputError("manifest.json: at most 10 bot commands per scope")
        for command in command_list["commands"]:
            _limit(command["title"], 32, "bot command title")
            _limit(command["description"], 128, "bot command description")
    for extension in manifest.get("composeExtensions", []):
        if extension.get("botId") != bots[0]["botId"]:
            raise InputError("manifest.json: the message extension must use the bot's id")
        for command in extension.get("commands", []):
            _limit(command["title"], 32, "message extension command title")
    for kind, expected in ICON_SIZES.items():
        path = source / manifest["icons"][kind]
        if not path.is_file():
            raise InputError(f"manifest icon {path.name} is missing")
        try:
            size = png_size(path.read_bytes())
        except ValueError:
            raise InputError(f"{path.name} is not a PNG file") from None
        if size != expected:
            raise InputError(f"{path.name} must be {expected[0]}x{expected[1]} pixels, not {size[0]}x{size[1]}")


def _limit(value: str, limit: int, field: str) -> None:
    if not value or len(value) > limit:
        raise InputError(f"manifest.json: {field} must be 1-{limit} characters ({len(value)} now)")


def write_package(
    out: Path,
    bot_id: str,
    *,
    version: str = "1.0.0",
    teams_app_id: str | None = None,
    source: Path = MANIFEST_DIR,
) -> dict[str, Any]:
    manifest = render_manifest(bot_id, version=version, teams_app_id=teams_app_id, source=source)
    validate_manifest(manifest, source)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for kind in ICON_SIZES:
            name = manifest["icons"][kind]
            archive.write(source / name, arcname=name)
    return manifest
