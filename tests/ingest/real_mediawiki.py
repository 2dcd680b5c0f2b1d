"""Run a real MediaWiki (Debian's package, SQLite) in a temporary folder for integration tests.

``install.php`` writes LocalSettings.php and the database into the temporary folder;
``MW_CONFIG_FILE`` points the PHP built-in server and the maintenance scripts at it.
Installed on CI by ``.ci/install-mediawiki.sh``; tests skip with the reason when it is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

MW_DIR = Path("/usr/share/mediawiki")
ADMIN_PASSWORD = "KbotAdminPass-123"
TIMEOUT = 30


def missing_reason() -> str | None:
    if shutil.which("php") is None:
        return "php is not installed (run .ci/install-mediawiki.sh)"
    if not (MW_DIR / "maintenance" / "install.php").is_file():
        return "Debian's mediawiki package is not installed (run .ci/install-mediawiki.sh)"
    probe = subprocess.run(["php", "-m"], capture_output=True, text=True, timeout=TIMEOUT)
    if "pdo_sqlite" not in probe.stdout.lower():
        return "php-sqlite3 is not installed (run .ci/install-mediawiki.sh)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RealWiki:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.server = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.server}/api.php"
        self.config = folder / "LocalSettings.php"
        self.env = {**os.environ, "MW_CONFIG_FILE": str(self.config)}
        self.proc: subprocess.Popen[bytes] | None = None

    def php(self, script: str, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            ["php", f"maintenance/{script}", *args],
            cwd=MW_DIR,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{script} failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout

    def install(self, *, private: bool = False) -> None:
        self.php(
            "install.php",
            "--dbtype",
            "sqlite",
            "--dbpath",
            str(self.folder / "data"),
            "--dbname",
            "kbotwiki",
            "--server",
            self.server,
            "--scriptpath",
            "",
            "--confpath",
            str(self.folder),
            "--pass",
            ADMIN_PASSWORD,
            "--lang",
            "en",
            "KbotWiki",
            "Admin",
        )
        extra = "\n$wgEnableBotPasswords = true;\n$wgJobRunRate = 0;\n"
        if private:
            extra += "$wgGroupPermissions['*']['read'] = false;\n"
        with self.config.open("a") as fh:
            fh.write(extra)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(MW_DIR)],
            cwd=MW_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"{self.api_url}?action=query&meta=siteinfo&format=json", timeout=2
                ):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the MediaWiki server did not answer in time")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def edit(self, title: str, wikitext: str) -> None:
        self.php("edit.php", "-u", "Admin", "-s", "kbot test", title, stdin=wikitext)

    def delete(self, title: str) -> None:
        listing = self.folder / "delete.txt"
        listing.write_text(title + "\n")
        self.php("deleteBatch.php", "-u", "Admin", "-r", "kbot test", str(listing))

    def move(self, title: str, new_title: str) -> None:
        listing = self.folder / "move.txt"
        listing.write_text(f"{title}|{new_title}\n")
        self.php("moveBatch.php", "-u", "Admin", "-r", "kbot test", "--noredirects", str(listing))

    def bot_password(self, app_id: str, password: str) -> str:
        self.php("createBotPassword.php", "--appid", app_id, "--grants", "basic", "Admin", password)
        return f"Admin@{app_id}"
