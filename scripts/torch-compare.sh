#!/usr/bin/env bash
# Compares two libtorch builds side by side in one run: `mecam bench` (the feature-mode entries
# and the main job) alternately on each, ROUNDS times, then the medians of each side as JSON.
#
# usage: scripts/torch-compare.sh --torch ENV_FILE [--baseline ENV_FILE|bundled] [--rounds N]
#                                 [--steps N] [--out FILE.json]
#   --torch     the environment file of the build to test (scripts/torch-jni.sh prints it)
#   --baseline  what to compare with (default: bundled, the libtorch 2.7.1 CPU build)
#   --rounds    alternations (default 2); each round runs both sides, the order swapped each round
#   --steps     timed steps per bench process (default 10)
#   --out       default: results/torch-compare.json
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
torch=
baseline=bundled
rounds=2
steps=10
out=results/torch-compare.json
while [ $# -gt 0 ]; do
  case "$1" in
    --torch) torch=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$torch" ] || { echo "error: --torch ENV_FILE is required" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
for r in $(seq 1 "$rounds"); do
  sides=(baseline test)
  [ $((r % 2)) = 1 ] || sides=(test baseline)
  for side in "${sides[@]}"; do
    env=$baseline; [ $side = test ] && env=$torch
    echo "round $r/$rounds: $side ($env)"
    "$here/mecam" --torch "$env" bench --skip-data --skip-rss --skip-bert --processes 1 --steps "$steps" \
      --out "$work/$side-$r.json" > "$work/$side-$r.log" 2>&1 || { cat "$work/$side-$r.log"; exit 1; }
  done
done
python3 - "$work" "$rounds" "$out" "$baseline" "$torch" <<'PY'
import json, statistics, sys, glob, os
work, rounds, out, baseline, torch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
res = {"method": "mecam bench --skip-data --skip-rss --skip-bert --processes 1, alternately on each side, "
       "%d rounds, order swapped every round; medians over rounds of each entry's median step time "
       "and of the main job's wall time" % rounds, "sides": {}}
for side, env in (("baseline", baseline), ("test", torch)):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(work, side + "-*.json")))]
    entries = {}
    for run in runs:
        for e in run["entries"] + [run["allocator_untuned"]]:
            d = entries.setdefault(e["name"], {"train": [], "eval": []})
            d["train"].append(e["train_step_median_ms"]); d["eval"].append(e["eval_step_median_ms"])
    res["sides"][side] = {
        "torch": env, "pytorch": runs[0]["versions"]["pytorch"], "runtime": runs[0]["runtime"],
        "entries": {k: {"train_step_median_ms": statistics.median(v["train"]),
                        "eval_step_median_ms": statistics.median(v["eval"]),
                        "train_ms_per_round": v["train"], "eval_ms_per_round": v["eval"]} for k, v in entries.items()},
        "main_job_wall_s": statistics.median(r["main_job"]["wall_seconds"] for r in runs),
        "main_job_wall_s_per_round": [r["main_job"]["wall_seconds"] for r in runs],
        "main_job_test_mae": [r["main_job"]["metrics"]["mae"] for r in runs],
        "machine": runs[0]["machine"]}
b, t = res["sides"]["baseline"], res["sides"]["test"]
res["test_over_baseline"] = {k: {"train": t["entries"][k]["train_step_median_ms"] / v["train_step_median_ms"],
                                 "eval": t["entries"][k]["eval_step_median_ms"] / v["eval_step_median_ms"]}
                             for k, v in b["entries"].items() if k in t["entries"]}
res["test_over_baseline"]["main_job"] = t["main_job_wall_s"] / b["main_job_wall_s"]
json.dump(res, open(out, "w"), indent=2)
print("%-52s %12s %12s %8s" % ("entry (train ms)", b["pytorch"], t["pytorch"], "ratio"))
for k, v in b["entries"].items():
    print("%-52s %12.1f %12.1f %8.2f" % (k, v["train_step_median_ms"], t["entries"][k]["train_step_median_ms"],
          res["test_over_baseline"][k]["train"]))
print("%-52s %12.1f %12.1f %8.2f" % ("main job (s)", b["main_job_wall_s"], t["main_job_wall_s"], res["test_over_baseline"]["main_job"]))
print(out)
PY
