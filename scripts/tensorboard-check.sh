#!/usr/bin/env bash
# The TensorBoard check: runs a small grid (the built-in smoke-negative-fraction at 4 epochs: 2
# fractions x 2 variants x 2 seeds, seconds per run), serves its results root with `tensorboard --logdir` on
# 127.0.0.1, opens the scalars dashboard in headless Chromium, checks that every run is listed
# (named grid/dataset/variant/seed-N) and that charts are drawn, and saves a screenshot
# (target/tensorboard/grid.png, or $1).
#
#   scripts/tensorboard-check.sh [OUT.png]
#
# Needs: the kit built (mvn -B -DskipTests package), Chromium (Debian: apt-get install chromium;
# CHROMIUM=/path overrides), Node.js with npm; it creates .venv with TensorBoard
# (scripts/python-env.sh) and installs playwright-core (the driver only) under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/browser-check.sh
browser_check_setup tensorboard tensorboard-screenshot.mjs
out="${1:-$root/target/tensorboard/grid.png}"
mkdir -p "$(dirname "$out")"
scripts/python-env.sh

results="$work/results"
rm -rf "$results"
sed 's/"epochs": 1,/"epochs": 4,/' src/main/resources/experiments/smoke-negative-fraction.json > "$work/grid.json"
java -jar target/mecam.jar ablate --grid "$work/grid.json" --workers 2 --results "$results" --no-report
runs=$(find "$results" -type d -name tensorboard | wc -l)
echo "$runs runs with a TensorBoard log"

port="${PORT:-6061}"
.venv/bin/tensorboard --logdir "$results" --host 127.0.0.1 --port "$port" > "$work/tensorboard.log" 2>&1 &
tb=$!
trap 'kill $tb 2>/dev/null; wait $tb 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/data/runs" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/data/runs" >/dev/null || { echo "TensorBoard did not start; see $work/tensorboard.log" >&2; exit 1; }
echo "TensorBoard $(.venv/bin/tensorboard --version_tb 2>/dev/null || true) on http://127.0.0.1:$port, runs: $(curl -sf "http://127.0.0.1:$port/data/runs" | head -c 300)"
node "$work/tensorboard-screenshot.mjs" "http://127.0.0.1:$port/#timeseries" "$out" "$runs" "valid/mae" "$chromium"
