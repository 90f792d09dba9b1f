#!/usr/bin/env bash
# Creates (or completes) the Python environment the notebook tools need, in .venv/ at the
# repository root (MECAM_VENV moves it):
#
#   scripts/python-env.sh          jupyter_client, nbclient, nbconvert, nbformat, tensorboard (headless runs, tests)
#   scripts/python-env.sh --lab    the same and JupyterLab (and Playwright's driver for the browser check)
#   scripts/python-env.sh --bert   transformers, torch and safetensors only (PretrainedBertTest's reference BERT)
#
# Online, this is plain `pip install` from PyPI. Machines whose pip is configured with local
# package indexes (`pip config list` shows file:// index URLs) install from those alone, so
# that pip does not wait on an unreachable PyPI. In a conda environment made from
# environment.yml (or any Python that has the packages) nothing is installed: the venv reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${MECAM_VENV:-.venv}"
python="${PYTHON:-python3}"

packages=(jupyter_client nbclient nbconvert nbformat tensorboard)
modules="jupyter_client, nbclient, nbconvert, nbformat, zmq, tensorboard"
if [[ "${1:-}" == "--lab" ]]; then
  packages+=(jupyterlab)
  modules+=", jupyterlab"
elif [[ "${1:-}" == "--bert" ]]; then
  packages=(transformers torch safetensors)
  modules="transformers, torch, safetensors"
elif [[ -n "${1:-}" ]]; then
  echo "usage: $0 [--lab | --bert]" >&2
  exit 2
fi

# A Python that already has the modules (a conda environment from environment.yml, say) is
# used through a venv that sees its packages: nothing is installed.
if [[ ! -x "$venv/bin/python" ]] && "$python" -c "import $modules" 2>/dev/null; then
  "$python" -m venv --system-site-packages "$venv"
fi
if [[ -x "$venv/bin/python" ]] && ! "$venv/bin/python" -m pip --version >/dev/null 2>&1 \
    && ! "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  rm -rf "$venv" # left by a failed `python3 -m venv` (no ensurepip): make it again
fi
if [[ ! -x "$venv/bin/python" ]]; then
  if ! "$python" -m venv "$venv"; then
    rm -rf "$venv"
    echo "$0: '$python -m venv' failed: install the venv module (Debian/Ubuntu: apt install python3-venv)" >&2
    exit 1
  fi
fi
if "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  echo "$venv: ready ($modules)"
  exit 0
fi

# Local indexes configured for pip (file:// URLs) become the only indexes. `pip config list`
# prints values as Python literals: several URLs are separated by spaces or a literal \n.
index_args=()
local_indexes=()
while IFS= read -r url; do
  local_indexes+=("$url")
done < <("$venv/bin/python" -m pip config list 2>/dev/null \
  | grep -E '^[^=]*index-url=' | sed -E "s/^[^=]*=//; s/^'//; s/'$//; s/\\\\n/ /g" | tr ' ' '\n' \
  | grep -E '^file://' || true)
if [[ ${#local_indexes[@]} -gt 0 ]]; then
  index_args+=(--index-url "${local_indexes[0]}")
  for extra in "${local_indexes[@]:1}"; do
    index_args+=(--extra-index-url "$extra")
  done
  echo "$venv: installing from local package indexes: ${local_indexes[*]}"
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check ${index_args[@]+"${index_args[@]}"} "${packages[@]}"
"$venv/bin/python" -c "import $modules"
echo "$venv: ready ($modules)"
