"""The scorecard's HTML page in a real headless Chromium: it renders, and both charts show both models.

Chromium comes from Debian's packages (``apt-get install chromium``); without it the test skips (see
tests/allowed_skips.txt). ``SCORECARD_SCREENSHOT=docs/img/scorecard.png`` keeps the screenshot.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from tests.bedrock.scorecard_world import run_scorecard, scorecard_args, script_world

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The dot colours of the first two models (adapters/cli/scorecard_html.py COLORS).
STRONG_RGB, WEAK_RGB = (0x1F, 0x77, 0xB4), (0xD6, 0x27, 0x28)


async def _screenshot(page: Path, png: Path, profile: Path) -> None:
    assert CHROMIUM is not None
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
        "--disable-background-networking", f"--user-data-dir={profile}", "--window-size=1200,1000",
        f"--screenshot={png}", page.as_uri(),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert await asyncio.to_thread(png.exists), f"chromium made no screenshot: {err.decode()[-2000:]}"


def _pixels_near(image, rgb: tuple[int, int, int], box: tuple[int, int, int, int]) -> int:
    raw = image.convert("RGB").crop(box).tobytes()
    pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
    return sum(1 for p in pixels if all(abs(a - b) <= 12 for a, b in zip(p, rgb, strict=True)))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: apt-get install -y chromium")
async def test_html_report_renders_both_charts_in_headless_chromium(fake_bedrock, bedrock_settings, tmp_path, capsys):
    from PIL import Image

    script_world(fake_bedrock)
    page = tmp_path / "scorecard.html"
    assert await run_scorecard(bedrock_settings, scorecard_args(tmp_path, "--html", str(page))) == 0
    png = tmp_path / "scorecard.png"

    await _screenshot(page, png, tmp_path / "chromium-profile")

    image = Image.open(png)
    assert image.size == (1200, 1000)
    left, right = (0, 60, 500, 480), (500, 60, 1200, 480)  # the two charts, side by side
    for chart in (left, right):
        assert _pixels_near(image, STRONG_RGB, chart) > 40, "the first model's dot is missing from a chart"
        assert _pixels_near(image, WEAK_RGB, chart) > 40, "the second model's dot is missing from a chart"
    if keep := os.environ.get("SCORECARD_SCREENSHOT"):
        shutil.copyfile(png, keep)
