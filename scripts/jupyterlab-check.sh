#!/usr/bin/env bash
# The JupyterLab check: starts JupyterLab on 127.0.0.1 with the kit's kernel, opens
# notebooks/00-quickstart.ipynb in headless Chromium, runs all its cells and takes a screenshot
# that shows the rendered chart (target/jupyterlab/00-quickstart.png, or $1).
#
#   scripts/jupyterlab-check.sh [OUT.png]
#
# Needs: the kit built (mvn -B -DskipTests package), Chromium (Debian: apt-get install chromium;
# CHROMIUM=/path overrides), Node.js with npm. It creates .venv with JupyterLab
# (scripts/python-env.sh --lab), installs the kernelspec into that environment, and installs
# playwright-core (the browser driver only; it uses the system Chromium) under target/.
# The notebook runs at smoke scale unless MAX_EPOCH / DATASET_LIMIT are set otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/browser-check.sh
browser_check_setup jupyterlab jupyterlab-screenshot.mjs
out="${1:-$root/target/jupyterlab/00-quickstart.png}"
mkdir -p "$(dirname "$out")"

scripts/python-env.sh --lab
java -jar target/mecam.jar kernel install --sys-prefix --python .venv/bin/python

# JupyterLab saves what it runs: it works on a copy, next to a link to target/ for the setup cell's
# %classpath ../target/classes, so that the committed notebook stays without outputs
lab_root="$work/lab"
rm -rf "$lab_root"
mkdir -p "$lab_root/notebooks"
cp notebooks/00-quickstart.ipynb notebooks/setup.jsh "$lab_root/notebooks/"
ln -s "$root/target" "$lab_root/target"

port="${PORT:-8899}"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MAX_EPOCH="${MAX_EPOCH:-2}" DATASET_LIMIT="${DATASET_LIMIT:-128}" RESULTS="${RESULTS:-$work/results}"
export JUPYTER_RUNTIME_DIR="$work/runtime" JUPYTER_CONFIG_DIR="$work/config"
root_flag=()
[[ $(id -u) -eq 0 ]] && root_flag=(--allow-root) # containers
.venv/bin/jupyter lab "${root_flag[@]}" --no-browser --ip 127.0.0.1 --port "$port" --ServerApp.port_retries=0 \
  --LabApp.extension_manager=readonly \
  --IdentityProvider.token="$token" --ServerApp.root_dir="$lab_root" --LabApp.news_url=None \
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate > "$work/jupyterlab.log" 2>&1 &
lab=$!
trap 'kill $lab 2>/dev/null; wait $lab 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/api/status?token=$token" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/api/status?token=$token" >/dev/null \
  || { echo "JupyterLab did not start; see $work/jupyterlab.log" >&2; exit 1; }
echo "JupyterLab $(.venv/bin/jupyter lab --version) on http://127.0.0.1:$port"

node "$work/jupyterlab-screenshot.mjs" \
  "http://127.0.0.1:$port/lab/tree/notebooks/00-quickstart.ipynb?token=$token" "$out" "$chromium"
