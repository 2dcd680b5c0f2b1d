#!/usr/bin/env bash
# Install a real MediaWiki for the ingest integration test (tests/ingest/test_mediawiki_real.py).
# Idempotent: does nothing when php + Debian's mediawiki are already there. The test itself runs
# install.php into a temporary folder, so no wiki state is kept on the machine.
set -euo pipefail
if command -v php >/dev/null 2>&1 && [ -f /usr/share/mediawiki/maintenance/install.php ] \
   && php -m 2>/dev/null | grep -qi pdo_sqlite; then
  echo "mediawiki: already installed ($(php -r 'echo PHP_VERSION;'))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "mediawiki: apt-get not available; the MediaWiki integration test will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "mediawiki: not root and no sudo; the MediaWiki integration test will be skipped" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "mediawiki: apt-get update failed; test will be skipped" >&2; exit 0; }
$SUDO apt-get install -y -qq --no-install-recommends mediawiki php-sqlite3 php-cli >/dev/null \
  || { echo "mediawiki: install failed; test will be skipped" >&2; exit 0; }
echo "mediawiki: installed"
