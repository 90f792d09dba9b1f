#!/usr/bin/env python3
"""Executes the kit's notebooks headlessly with nbclient, as the tests do.

    .venv/bin/python scripts/run-notebooks.py [--out target/notebooks-executed] [--kernel mecam-java]
        [--timeout 600] [NOTEBOOK ...]

Runs every notebooks/*.ipynb (or the ones named) in order, in the notebooks directory, with
the kernel installed as mecam-java; fails on the first cell error. Each notebook's metadata
"mecam": {"min_images": N} says how many image outputs (PNG or SVG) it must produce. Executed
copies go to --out. The scale comes from the environment (MAX_EPOCH, DATASET_LIMIT, SEEDS,
RESULTS; see the README): unset, the notebooks run at full scale. Writes --out/summary.json
with each notebook's seconds, images, HTML outputs and status.
"""
import argparse
import glob
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = os.path.join(os.path.dirname(HERE), "notebooks")
IMAGE_TYPES = ("image/png", "image/svg+xml")


def images(nb):
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if any(t in out.get("data", {}) for t in IMAGE_TYPES):
                n += 1
    return n


def html_outputs(nb):
    """HTML outputs (tables), not counting the kit kernel's live training-progress displays."""
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = data.get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if "text/html" in data and not re.match(r"epoch \d+/\d+ \[", text):
                n += 1
    return n


def run(path, out_dir, kernel, timeout):
    nb = nbformat.read(path, as_version=4)
    expected = nb.metadata.get("mecam", {}).get("min_images", 0)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=False,
                            resources={"metadata": {"path": NOTEBOOKS}})
    t0 = time.time()
    status, error = "ok", None
    try:
        client.execute()
    except CellExecutionError as e:
        status, error = "error", str(e)
    except Exception as e:  # timeouts, dead kernels
        status, error = "error", "%s: %s" % (type(e).__name__, e)
    seconds = time.time() - t0
    out_path = os.path.join(out_dir, os.path.basename(path))
    nbformat.write(nb, out_path)
    found = images(nb)
    if status == "ok" and found < expected:
        status, error = "error", "%d image outputs, expected at least %d" % (found, expected)
    return {"notebook": os.path.basename(path), "status": status, "seconds": round(seconds, 1),
            "images": found, "min_images": expected, "html": html_outputs(nb), "error": error, "executed": out_path}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "target", "notebooks-executed"))
    ap.add_argument("--kernel", default="mecam-java")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    a = ap.parse_args()
    paths = a.notebooks or sorted(glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
    if not paths:
        sys.exit("no notebooks found in " + NOTEBOOKS)
    os.makedirs(a.out, exist_ok=True)
    knobs = {k: os.environ[k] for k in ("MAX_EPOCH", "DATASET_LIMIT", "SEEDS", "RESULTS", "WORKERS") if k in os.environ}
    print("scale: %s" % (knobs or "full (MAX_EPOCH, DATASET_LIMIT, SEEDS unset)"), flush=True)
    results = []
    for p in paths:
        r = run(os.path.abspath(p), a.out, a.kernel, a.timeout)
        results.append(r)
        print("%-5s %-32s %6.1fs  %d images (min %d)" % (r["status"], r["notebook"], r["seconds"], r["images"],
                                                         r["min_images"]), flush=True)
        if r["status"] != "ok":
            print(r["error"], file=sys.stderr, flush=True)
            break
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"scale": knobs, "notebooks": results}, f, indent=2)
    sys.exit(0 if all(r["status"] == "ok" for r in results) and len(results) == len(paths) else 1)


if __name__ == "__main__":
    main()
