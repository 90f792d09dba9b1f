#!/usr/bin/env python3
"""Load check: N concurrent `mecam train` commands on one results root, and a grid with as many
workers as cores, repeated; records each process's peak RSS (/usr/bin/time -v), the lowest
MemAvailable seen (/proc/meminfo, every 0.2 s), exit codes, whether every run directory is complete
and whether any staging is left; writes JSON.

    scripts/load-check.py --jar target/mecam.jar --out docs/bench/load.json [--counts 1,2,4,8]
        [--preset-args "--epochs 1"] [--grid smoke] [--repeats 2]
"""
import argparse, json, os, re, shutil, subprocess, tempfile, threading, time


def mem_available_mb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.low = mem_available_mb()
        self.stop = False

    def run(self):
        while not self.stop:
            self.low = min(self.low, mem_available_mb())
            time.sleep(0.2)


def timed(cmd, log, env):
    return subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdout=open(log + ".out", "w"),
                            stderr=open(log + ".err", "w"), env=env)


def max_rss_mb(log):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(log + ".err").read())
    return int(m.group(1)) / 1024.0 if m else None


def staging(root):
    left = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            if ".incomplete" in n or n.endswith(".partial"):
                left.append(os.path.relpath(os.path.join(d, n), root))
    return left


def complete_runs(root):
    n = 0
    for d, dirs, files in os.walk(root):
        if "metrics.json" in files and ".incomplete" not in d:
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="target/mecam.jar")
    ap.add_argument("--out", required=True)
    ap.add_argument("--counts", default="1,2,4,8")
    ap.add_argument("--train-args", default="--epochs 1")
    ap.add_argument("--grid", default="smoke")
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    env = dict(os.environ)
    work = tempfile.mkdtemp(prefix="mecam-load-")
    out = {"command": "scripts/load-check.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items()), "cores": os.cpu_count(),
        "mem_total_mb": None, "train": [], "grid": []}
    with open("/proc/meminfo") as f:
        out["mem_total_mb"] = int(f.readline().split()[1]) / 1024.0
    for n in [int(x) for x in a.counts.split(",")]:
        root = os.path.join(work, f"train-{n}")
        idle = mem_available_mb()
        s = Sampler(); s.start()
        t0 = time.time()
        procs = [timed(["java", "-jar", a.jar, "train", "--quiet", "--results", root, "--seed", str(1111 + i)]
                       + a.train_args.split(), os.path.join(work, f"train-{n}-{i}"), env) for i in range(n)]
        codes = [p.wait() for p in procs]
        s.stop = True; s.join()
        rss = [max_rss_mb(os.path.join(work, f"train-{n}-{i}")) for i in range(n)]
        out["train"].append({"concurrent": n, "exit_codes": codes, "wall_s": round(time.time() - t0, 1),
                             "peak_rss_mb_each": rss, "mem_available_idle_mb": round(idle),
                             "mem_available_lowest_mb": round(s.low), "complete_runs": complete_runs(root),
                             "staging_left": staging(root)})
        print(json.dumps(out["train"][-1]), flush=True)
    root = os.path.join(work, "grid")
    for r in range(a.repeats):
        s = Sampler(); s.start(); t0 = time.time()
        p = timed(["java", "-jar", a.jar, "ablate", "--grid", a.grid, "--workers", str(os.cpu_count()),
                   "--results", root], os.path.join(work, f"grid-{r}"), env)
        code = p.wait(); s.stop = True; s.join()
        out["grid"].append({"repeat": r + 1, "workers": os.cpu_count(), "exit_code": code,
                            "wall_s": round(time.time() - t0, 1), "mem_available_lowest_mb": round(s.low),
                            "complete_runs": complete_runs(root), "staging_left": staging(root),
                            "summary": [l for l in open(os.path.join(work, f"grid-{r}.out")).read().splitlines()
                                        if l.startswith("grid ")]})
        print(json.dumps(out["grid"][-1]), flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
