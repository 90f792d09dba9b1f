#!/usr/bin/env python3
"""Executes the notebooks that show the shipped results against docs/results and writes them as HTML.

    .venv/bin/python scripts/render-notebooks.py [--out docs/notebooks] [--kernel mecam-java]
        [--timeout 900] [NOTEBOOK ...]

scripts/render-notebooks.sh is the documented command: it builds the jar, makes the Python
environment and installs the kernel, then runs this. The notebooks rendered are those whose
metadata says "mecam": {"render": true} (03, 04, 05, 06), or the ones named. Each is executed
in memory (the files in notebooks/ are only read, and stay without outputs), at full scale, on
a copy of docs/results: notebooks 03, 04 and 06 show the shipped runs (GRIDS=shipped), notebook
05 regenerates every table and figure into the copy, which must then equal docs/results byte for
byte (else docs/results is not current and nothing is written). Figures that notebook 05 shows
from files are linked (IMAGE_LINKS=../results: <img src="../results/figures/...">), not
embedded; charts drawn in a cell are embedded as PNG.

The HTML is reproducible: cells' execution timestamps are dropped and the copy's and the
repository's absolute paths are written as docs/results and ".", so rendering the same inputs
on the same machine gives the same bytes. Each file records, in <meta name="mecam-inputs">, the
SHA-256 of its inputs (inputs_digest below: the notebook, notebooks/setup.jsh, every file under
docs/results and the kit's version); RenderedNotebooksTest recomputes it, and NotebooksTest
renders again and compares bytes.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NOTEBOOKS = os.path.join(ROOT, "notebooks")
SHIPPED = os.path.join(ROOT, "docs", "results")
LINKS = "../results"  # docs/results as seen from docs/notebooks/
KNOBS = ("MAX_EPOCH", "DATASET_LIMIT", "SEEDS", "WORKERS", "GRIDS", "RESULTS", "SHIPPED_RESULTS", "IMAGE_LINKS")


def kit_version():
    with open(os.path.join(ROOT, "pom.xml"), encoding="utf-8") as f:
        m = re.search(r"<artifactId>mecam</artifactId>\s*<version>([^<]+)</version>", f.read())
    return m.group(1).strip()


def tree(base):
    """Files under base (relative, '/'-separated, sorted), leaving out dot files and folders (.report.lock)."""
    out = []
    for d, dirs, files in os.walk(base):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        for name in files:
            if not name.startswith("."):
                out.append(os.path.relpath(os.path.join(d, name), base).replace(os.sep, "/"))
    return sorted(out)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inputs_digest(notebook):
    """SHA-256 of the lines '<sha256>  <path>' of the notebook, notebooks/setup.jsh and every file
    under docs/results (paths from the repository root, sorted), then 'kit <version>'; the same as
    RenderedNotebooksTest.inputsDigest."""
    paths = ["notebooks/" + os.path.basename(notebook), "notebooks/setup.jsh"]
    paths += ["docs/results/" + p for p in tree(SHIPPED)]
    manifest = "".join("%s  %s\n" % (sha256(os.path.join(ROOT, p)), p) for p in sorted(paths))
    manifest += "kit %s\n" % kit_version()
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def to_render():
    out = []
    for p in sorted(glob.glob(os.path.join(NOTEBOOKS, "*.ipynb"))):
        with open(p, encoding="utf-8") as f:
            if json.load(f).get("metadata", {}).get("mecam", {}).get("render"):
                out.append(p)
    return out


def scrub(value, paths):
    """The value (a string, or a list of strings as nbformat keeps multi-line text) with absolute paths replaced."""
    if isinstance(value, list):
        return [scrub(v, paths) for v in value]
    if isinstance(value, str):
        for old, new in paths:
            value = value.replace(old, new)
    return value


def normalize(nb, paths):
    """Drops what changes from run to run: execution timestamps, the Java build, absolute paths."""
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = scrub(out["text"], paths)
            for mime, data in out.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("+json") or mime == "image/svg+xml":
                    out["data"][mime] = scrub(data, paths)


def images(nb):
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "image/png" in data or "image/svg+xml" in data or "<img " in html:
                n += 1
    return n


def banner(name, digest):
    return nbformat.v4.new_markdown_cell(
        "*Rendered from [`notebooks/%s`](../../notebooks/%s) against the results shipped in "
        "[`docs/results`](../results) by `scripts/render-notebooks.sh` (kit %s; inputs sha256 `%s`). "
        "[All rendered notebooks](README.md).*" % (name, name, kit_version(), digest[:16]), id="mecam-rendered")


def render(path, copy, out_dir, kernel, timeout):
    name = os.path.basename(path)
    stem = os.path.splitext(name)[0]
    nb = nbformat.read(path, as_version=4)  # the file itself is never written
    expected = nb.metadata.get("mecam", {}).get("min_images", 0)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=False,
                            resources={"metadata": {"path": NOTEBOOKS}})
    t0 = time.time()
    try:
        client.execute()
    except CellExecutionError as e:
        raise SystemExit("%s: a cell failed:\n%s" % (name, e))
    seconds = time.time() - t0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise SystemExit("%s: an error output: %s" % (name, out.get("ename")))
    found = images(nb)
    if found < expected:
        raise SystemExit("%s: %d image outputs, expected at least %d" % (name, found, expected))
    return nb, name, stem, seconds, found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "notebooks"))
    ap.add_argument("--kernel", default="mecam-java")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell (a grid missing from docs/results"
                                                             " would start training at full scale: this stops it)")
    a = ap.parse_args()
    paths = [os.path.abspath(p) for p in a.notebooks] or to_render()
    if not paths:
        sys.exit("no notebook in %s says \"mecam\": {\"render\": true}" % NOTEBOOKS)
    if not os.path.isdir(SHIPPED):
        sys.exit("no " + SHIPPED)
    out_dir = os.path.abspath(a.out)
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="mecam-render-")
    copy = os.path.join(work, "results")
    try:
        shutil.copytree(SHIPPED, copy, ignore=shutil.ignore_patterns(".*"))
        for k in KNOBS:
            os.environ.pop(k, None)
        os.environ.update({"RESULTS": copy, "SHIPPED_RESULTS": copy, "GRIDS": "shipped", "IMAGE_LINKS": LINKS})
        # longest first: the copy may lie under the repository (TMPDIR)
        scrubbed = sorted([(copy + os.sep, "docs/results/"), (copy, "docs/results"), (ROOT + os.sep, ""), (ROOT, ".")],
                          key=lambda p: -len(p[0]))
        print("rendering %s at full scale against docs/results (a copy in %s) into %s"
              % (", ".join(os.path.basename(p) for p in paths), copy, out_dir), flush=True)
        done = []
        for p in paths:
            nb, name, stem, seconds, found = render(p, copy, out_dir, a.kernel, a.timeout)
            normalize(nb, scrubbed)
            done.append((nb, name, stem, seconds, found))
            print("executed %-32s %6.1f s, %d images" % (name, seconds, found), flush=True)
        # notebook 05 wrote every table and figure into the copy: they must be the shipped ones
        changed = [f for f in tree(copy) if not os.path.isfile(os.path.join(SHIPPED, f))
                   or sha256(os.path.join(copy, f)) != sha256(os.path.join(SHIPPED, f))]
        missing = [f for f in tree(SHIPPED) if not os.path.isfile(os.path.join(copy, f))]
        if changed or missing:
            sys.exit("docs/results is not current: regenerating its tables and figures (notebook 05, as `mecam report"
                     " --results docs/results` does) changes %d file(s) and removes %d, e.g. %s; regenerate and commit"
                     " them first, nothing was rendered" % (len(changed), len(missing), (changed + missing)[:5]))
        exporter = HTMLExporter(template_name="lab")
        for nb, name, stem, seconds, found in done:
            digest = inputs_digest(name)
            nb.cells.insert(0, banner(name, digest))
            body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
            head = '<meta name="mecam-inputs" content="sha256:%s">' % digest
            body = body.replace("<head>", "<head>\n" + head, 1)
            if head not in body:
                sys.exit("%s: no <head> in nbconvert's HTML" % name)
            target = os.path.join(out_dir, stem + ".html")
            with open(target, "w", encoding="utf-8", newline="\n") as f:
                f.write(body)
            print("wrote %s (%.0f KB)" % (os.path.relpath(target, ROOT), os.path.getsize(target) / 1024), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
