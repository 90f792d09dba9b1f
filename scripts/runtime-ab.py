#!/usr/bin/env python3
"""Side-by-side step times of runtime variants (environment and thread count), in one run.

Each round runs every variant once per preset (the kit's step benchmark in a fresh JVM:
org.mecam.bench.BenchWorker step, full-length batches of 32), in an order rotated every round,
and the JSON holds each variant's median over rounds of its per-process medians, with the ratio
to the first variant. Shared, noisy machines: compare within one file only.

usage: scripts/runtime-ab.py --out FILE.json [--jar target/mecam.jar] [--rounds 3] [--steps 15]
           [--preset mosi] [--preset mosi-unaligned] --variant 'NAME|ENV=V ENV2=V|--threads 2' ...
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

KEYS = ["train_step_median_ms", "stage0_median_ms", "stage1_median_ms", "eval_step_median_ms"]


def die(message):
    """One error line on stderr, exit 2 (bad input), as the kit's commands do."""
    print("error: " + message, file=sys.stderr)
    sys.exit(2)


def run_one(jar, preset, env_text, args_text, steps, fusion):
    env = dict(os.environ)
    for kv in env_text.split():
        k, v = kv.split("=", 1)
        env[k] = v
    lib = os.path.join(os.path.dirname(os.path.abspath(jar)), "lib", "*")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = ["java", "-cp", jar + os.pathsep + lib, "org.mecam.bench.BenchWorker", "step", "--mode", "features",
           "--fusion", fusion, "--preset", preset, "--warmup", "3", "--steps", str(steps), "--out", out]
    cmd += args_text.split()
    if "--threads" not in args_text:
        cmd += ["--threads", "1"]
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        die("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[-400:].replace("\n", " | ")))
    with open(out) as f:
        d = json.load(f)
    os.unlink(out)
    return {k: d[k] for k in KEYS}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--jar", default="target/mecam.jar")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--fusion", default="attention")
    ap.add_argument("--preset", action="append")
    ap.add_argument("--variant", action="append", required=True, help="NAME|ENV=V ...|extra worker args")
    a = ap.parse_args()
    presets = a.preset or ["mosi"]
    variants = [(v.split("|") + ["", ""])[:3] for v in a.variant]
    for name, env_text, _ in variants:
        bad = [kv for kv in env_text.split() if "=" not in kv or kv.startswith("=")]
        if not name or bad:
            die("--variant '%s': expected NAME|ENV=VALUE ...|ARGS (bad: %s)"
                     % ("|".join([name, env_text]), " ".join(bad) or "no name"))
    if not os.path.isfile(a.jar):
        die("--jar %s: not found (build it: mvn -q -B -DskipTests package)" % a.jar)
    rounds = {(n, p): [] for n, _, _ in variants for p in presets}
    for r in range(a.rounds):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for p in presets:
            for name, env_text, args_text in order:
                m = run_one(a.jar, p, env_text, args_text, a.steps, a.fusion)
                rounds[(name, p)].append(m)
                print("round %d %s %-12s train %.1f ms (stage 0 %.1f, stage 1 %.1f), eval %.1f ms" % (
                    r + 1, p, name, m[KEYS[0]], m[KEYS[1]], m[KEYS[2]], m[KEYS[3]]), flush=True)
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.argv[0])] + [("'%s'" % x if " " in x or "|" in x else x) for x in sys.argv[1:]]),
        "machine": {"cores": os.cpu_count(), "cpu": _cpu()},
        "method": "per variant and preset: median over %d rounds (order rotated each round) of one process's median "
                  "over %d steps after 3 warm-up steps; features mode, %s fusion, full-length batches of 32"
                  % (a.rounds, a.steps, a.fusion),
        "variants": [{"name": n, "env": e, "args": x} for n, e, x in variants],
        "presets": {},
    }
    base = variants[0][0]
    for p in presets:
        rows = {}
        for name, _, _ in variants:
            rs = rounds[(name, p)]
            rows[name] = {k: statistics.median(x[k] for x in rs) for k in KEYS}
            rows[name]["train_ms_per_round"] = [x[KEYS[0]] for x in rs]
        for name in rows:
            rows[name]["train_over_" + base] = rows[name][KEYS[0]] / rows[base][KEYS[0]]
            rows[name]["eval_over_" + base] = rows[name][KEYS[3]] / rows[base][KEYS[3]]
        result["presets"][p] = rows
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    for p, rows in result["presets"].items():
        for name, r in rows.items():
            print("%s %-12s train %.1f ms (x%.3f), stage 0 %.1f, eval %.1f ms (x%.3f)" % (
                p, name, r[KEYS[0]], r["train_over_" + base], r[KEYS[1]], r[KEYS[3]], r["eval_over_" + base]))


def _cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
