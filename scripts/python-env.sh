#!/usr/bin/env bash
# Creates (or completes) the Python environment the notebook tools need, in .venv/ at the
# repository root (MECAM_VENV moves it):
#
#   scripts/python-env.sh          jupyter_client, nbclient, nbconvert, nbformat (headless runs, tests)
#   scripts/python-env.sh --lab    the same and JupyterLab (and Playwright's driver for the browser check)
#
# Online, this is plain `pip install` from PyPI. Machines whose pip is configured with local
# package indexes (`pip config list` shows file:// index URLs) install from those alone, so
# that pip does not wait on an unreachable PyPI. Conda users can skip this script:
# `conda env create -f environment.yml` has the same packages.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${MECAM_VENV:-.venv}"
python="${PYTHON:-python3}"

packages=(jupyter_client nbclient nbconvert nbformat)
modules="jupyter_client, nbclient, nbconvert, nbformat, zmq"
if [[ "${1:-}" == "--lab" ]]; then
  packages+=(jupyterlab)
  modules+=", jupyterlab"
elif [[ -n "${1:-}" ]]; then
  echo "usage: $0 [--lab]" >&2
  exit 2
fi

if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
if "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  echo "$venv: ready ($modules)"
  exit 0
fi

# Local indexes configured for pip (file:// URLs) become the only indexes.
index_args=()
mapfile -t local_indexes < <("$venv/bin/python" -m pip config list 2>/dev/null \
  | grep -E '^[^=]*index-url=' | sed -E "s/^[^=]*=//; s/^'//; s/'$//" | tr ' ' '\n' | grep -E '^file://' || true)
if [[ ${#local_indexes[@]} -gt 0 ]]; then
  index_args+=(--index-url "${local_indexes[0]}")
  for extra in "${local_indexes[@]:1}"; do
    index_args+=(--extra-index-url "$extra")
  done
  echo "$venv: installing from local package indexes: ${local_indexes[*]}"
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${index_args[@]}" "${packages[@]}"
"$venv/bin/python" -c "import $modules"
echo "$venv: ready ($modules)"
