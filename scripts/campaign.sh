#!/usr/bin/env bash
# Runs the grids whose results ship in docs/results/, at full scale, in order, resuming from
# every run already finished: the runs under docs/results/ are copied into the results root first
# (without overwriting), and a grid skips each run whose directory exists with the same
# configuration. When it ends (or with --publish-only) the finished runs are copied back into
# docs/results/ and every table and figure there is regenerated.
#
# usage: scripts/campaign.sh [--results DIR] [--workers N] [--publish-only] [GRID ...]
#   default grids, in this order: alpha-sweep-mosi negative-fraction-mosi ablations-mosi robustness-mosi
#   default DIR: results/campaign; default N: 2; MECAM_JAR (default target/mecam.jar) picks the jar
# Wall time on 2 cores with 2 workers: see docs/FINDINGS.md ("Wall time").
set -euo pipefail
cd "$(dirname "$0")/.."
root=results/campaign
workers=2
publish_only=0
grids=()
while [ $# -gt 0 ]; do
  case "$1" in
    --results) root=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --publish-only) publish_only=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) grids+=("$1"); shift ;;
  esac
done
[ ${#grids[@]} -gt 0 ] || grids=(alpha-sweep-mosi negative-fraction-mosi ablations-mosi robustness-mosi)
jar=${MECAM_JAR:-target/mecam.jar}
[ -f "$jar" ] || { echo "error: $jar not found: build it first (mvn -q -B -DskipTests package)" >&2; exit 2; }
mkdir -p "$root"
if [ $publish_only = 0 ]; then
  for grid in "${grids[@]}"; do
    if [ -d "docs/results/$grid" ]; then
      cp -rn "docs/results/$grid" "$root/"   # finished runs are skipped, not recomputed
    fi
    cmd=ablate
    [ "$grid" = robustness-mosi ] && cmd=robustness
    start=$(date +%s)
    java -jar "$jar" "$cmd" --grid "$grid" --workers "$workers" --results "$root" --no-report
    echo "campaign: $grid finished in $(( $(date +%s) - start )) s of wall time"
  done
fi
java -jar "$jar" report --results "$root" --publish docs/results
