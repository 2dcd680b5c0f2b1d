#!/usr/bin/env bash
# Create .venv and install kbot from this checkout. `--dev` adds the test/lint/infra tools and,
# where apt is available as root, the local MediaWiki used by the connector integration test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || { echo "kbot needs Python 3.11 (found $("$PY" --version 2>&1))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
LOG=.venv/pip-install.log
pip_install() {  # quiet unless it fails: then show why
  .venv/bin/python -m pip install "$@" >"$LOG" 2>&1 || { tail -40 "$LOG" >&2; echo "setup: pip install failed (full log: $LOG)" >&2; exit 1; }
}
if [ "${1:-}" = "--dev" ]; then
  pip_install -e '.[dev]'
  if [ -x .ci/install-mediawiki.sh ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    .ci/install-mediawiki.sh || echo "setup: MediaWiki not installed; its integration test will be skipped" >&2
  fi
else
  pip_install -e .
fi
echo "setup: ready (.venv)" >&2
