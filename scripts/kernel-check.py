#!/usr/bin/env python3
"""Checks the kit's Jupyter kernel with a real Jupyter client (jupyter_client).

    .venv/bin/python scripts/kernel-check.py [--kernel mecam-java] [--starts 50] [--out FILE.json]

The kernelspec must be installed where Jupyter finds it (JUPYTER_PATH, or `java -jar
target/mecam.jar kernel install`). Behaviour checks: values, stdout/stderr, compile errors and
exceptions as errors (first traceback line "ename: evalue"), display of images, charts and
tables, IJava's %classpath/%jars, interrupt (cooperative and forced), stop_on_error, a badly
signed message, is_complete, history (tail, range, glob search with unique and n) and inspect
as the Jupyter kernel test suite checks them, kernel_info, restart and shutdown. Then --starts
consecutive headless starts, each of which must answer kernel_info and run a cell in time.
Prints one line per check and exits non-zero if any failed; --out writes the results as JSON.
"""
import argparse
import json
import os
import statistics
import sys
import time

from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

START_TIMEOUT = 60
EXEC_TIMEOUT = 60


def start(name):
    km = KernelManager(kernel_name=name)
    km.start_kernel(cwd=os.getcwd())
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=START_TIMEOUT)
    return km, kc


def execute(kc, code, timeout=EXEC_TIMEOUT, stop_on_error=True):
    """Runs code; returns (reply content, list of iopub outputs)."""
    msg_id = kc.execute(code, stop_on_error=stop_on_error)
    return collect(kc, msg_id, timeout)


def collect(kc, msg_id, timeout=EXEC_TIMEOUT):
    outputs = []
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("stream", "execute_result", "display_data", "update_display_data", "error"):
            outputs.append((kind, msg["content"]))
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], outputs


class Checks:
    def __init__(self):
        self.results = []

    def check(self, name, ok, detail=""):
        self.results.append({"check": name, "ok": bool(ok), "detail": str(detail)[:500]})
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:500]), flush=True)

    def failed(self):
        return [r for r in self.results if not r["ok"]]


def mime_types(outputs, kind):
    return [set(c.get("data", {}).keys()) for k, c in outputs if k == kind]


def behaviour(c, name):
    km, kc = start(name)
    try:
        reply, out = execute(kc, "int x = 20;\nx + 22")
        c.check("last expression is the cell's value",
                reply["status"] == "ok" and any(k == "execute_result" and o["data"]["text/plain"] == "42" for k, o in out), out)

        reply, out = execute(kc, 'System.out.println("to stdout"); System.err.println("to stderr");')
        names = {o["name"]: o["text"] for k, o in out if k == "stream"}
        c.check("stdout and stderr are streamed", "to stdout" in names.get("stdout", "")
                and "to stderr" in names.get("stderr", ""), out)

        reply, out = execute(kc, "undefinedName + 1")
        c.check("compile error is an error reply",
                reply["status"] == "error" and reply["ename"] == "CompilationException"
                and reply["traceback"][0].startswith("CompilationException: cannot find symbol")
                and any(k == "error" for k, _ in out), reply)

        reply, out = execute(kc, 'throw new IllegalStateException("boom")')
        c.check("exception is an error reply with ename: evalue first",
                reply["status"] == "error" and reply["ename"] == "java.lang.IllegalStateException"
                and reply["traceback"][0] == "java.lang.IllegalStateException: boom", reply)

        reply, out = execute(kc, 'class Bad { public String toString() { throw new AssertionError("x"); } }\nnew Bad()')
        c.check("an Error thrown while showing a value is an error reply", reply["status"] == "error"
                and reply["ename"] == "java.lang.AssertionError", reply)

        reply, out = execute(kc, "display(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB));")
        c.check("display(BufferedImage) is image/png", reply["status"] == "ok"
                and any("image/png" in m for m in mime_types(out, "display_data")), out)

        reply, out = execute(kc, "var chart = new org.knowm.xchart.XYChartBuilder().width(300).height(200).title(\"c\").build();\n"
                                 "chart.addSeries(\"s\", new double[] {1, 2, 3}, new double[] {3, 1, 2});\n"
                                 "display(chart);\nchart")
        c.check("XChart chart is image/png (display and value)", reply["status"] == "ok"
                and any("image/png" in m for m in mime_types(out, "display_data"))
                and any("image/png" in m for m in mime_types(out, "execute_result")), out)

        reply, out = execute(kc, 'var t = tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("a", 1, 2));\n'
                                 "display(t);\nt")
        c.check("Tablesaw table is text/html and text/plain", reply["status"] == "ok"
                and any({"text/html", "text/plain"} <= m for m in mime_types(out, "display_data"))
                and any({"text/html", "text/plain"} <= m for m in mime_types(out, "execute_result")), out)

        reply, out = execute(kc, 'System.out.println("printed first");\n'
                                 "show(new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB));")
        order = [k for k, o in out if k in ("stream", "display_data")]
        c.check("text printed before a display arrives before it", reply["status"] == "ok"
                and order[:2] == ["stream", "display_data"], out)

        here = os.getcwd()
        reply, out = execute(kc, "%classpath " + here + "\n%jars " + os.path.join(here, "*.jar") + "\n1")
        jar_missing = not any(f.endswith(".jar") for f in os.listdir(here))
        c.check("%classpath and %jars are accepted", reply["status"] == "ok" if not jar_missing
                else reply["status"] == "error" and "no jar file matches" in reply["evalue"], reply)

        reply, out = execute(kc, "%jars /no/such/dir/*.jar")
        c.check("%jars of a missing file names it", reply["status"] == "error"
                and "/no/such/dir/*.jar" in reply["evalue"], reply)

        def interrupted(label, code):
            msg_id = kc.execute(code)
            time.sleep(1.0)
            t0 = time.time()
            km.interrupt_kernel()
            reply, out = collect(kc, msg_id, timeout=30)
            c.check(label, reply["status"] == "error" and reply["ename"] == "Interrupted",
                    "%s after %.1fs" % (reply.get("ename"), time.time() - t0))

        # cooperative interrupt: the kit's loops check Interruption between batches
        interrupted("interrupt stops a cooperative loop",
                    "while (true) { org.mecam.engine.Interruption.check(); Thread.onSpinWait(); }")
        # forced interrupt: code that never checks is stopped after the grace period
        interrupted("interrupt stops a loop that never checks", "while (true) { Thread.sleep(10); }")
        reply, out = execute(kc, "1 + 1")
        c.check("the kernel works after interrupts", reply["status"] == "ok", reply)

        # stop_on_error: requests queued behind a failing cell are aborted
        first = kc.execute('Thread.sleep(500); throw new RuntimeException("first fails")')
        second = kc.execute("2 + 2")
        third = kc.execute("3 + 3")
        r1, _ = collect(kc, first)
        r2, _ = collect(kc, second)
        r3, _ = collect(kc, third)
        c.check("stop_on_error aborts queued requests",
                r1["status"] == "error" and r2["status"] == "aborted" and r3["status"] == "aborted", (r1, r2, r3))
        reply, out = execute(kc, "4 + 4")
        c.check("requests after the failure run", reply["status"] == "ok", reply)

        # a badly signed message is ignored, and the kernel keeps serving
        import zmq
        info = km.get_connection_info()
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.connect("%s://%s:%d" % (info["transport"], info["ip"], info["shell_port"]))
        bad = Session(key=b"not-the-key")
        bad.send(sock, bad.msg("execute_request", {"code": "System.exit(1)", "silent": False}))
        time.sleep(0.5)
        sock.close(0)
        reply, out = execute(kc, "5 + 5")
        c.check("a badly signed message is ignored", reply["status"] == "ok"
                and any(k == "execute_result" and o["data"]["text/plain"] == "10" for k, o in out), reply)

        # The cases of the Jupyter kernel test suite (jupyter_kernel_test 0.4.5: test_is_complete,
        # test_history, test_inspect), written out so that they run with jupyter_client alone.
        def shell(send):
            msg_id = send()
            deadline = time.time() + 10
            while True:
                m = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
                if m["parent_header"].get("msg_id") == msg_id:
                    return m["content"]

        for code, want in [("int x = 1;", "complete"), ("Math.max(1, 2)", "complete"),
                           ("for (int i = 0; i < 3; i++) {", "incomplete"), ("Math.max(1,", "incomplete"),
                           ("}", "invalid"), ("int x = 1 1;", "invalid"), (")", "invalid"), ("int x = ;", "invalid")]:
            r = shell(lambda: kc.is_complete(code))
            c.check("is_complete %r is %s" % (code, want), r.get("status") == want
                    and (want != "incomplete" or isinstance(r.get("indent"), str)), r)

        codes = ["6 * 7", "12 + 30"]

        def history(**kwargs):
            for code in codes:
                execute(kc, code)
            return shell(lambda: kc.history(raw=True, **kwargs))["history"]

        h = history(output=False, hist_access_type="tail", n=len(codes))
        c.check("history tail: the last cells, [session, line, input]", len(h) == len(codes)
                and all(len(e) == 3 for e in h) and [e[2] for e in h] == codes, h)
        session, first_line = h[0][0], h[0][1]
        h = history(output=True, hist_access_type="tail", n=len(codes))
        c.check("history tail with output: [input, output] pairs", len(h) == len(codes)
                and all(len(e[2]) == 2 for e in h) and h[-1][2] == ["12 + 30", "42"], h)
        h = history(output=False, hist_access_type="range", session=session, start=first_line, stop=first_line + 1)
        c.check("history range: one cell, the asked session and line", len(h) == 1 and h[0][0] == session
                and h[0][1] == first_line and h[0][2] == codes[0], h)
        h = history(output=False, hist_access_type="search", pattern="12 ?*")
        c.check("history search (glob) finds the cells", len(h) >= 1 and all(e[2] == "12 + 30" for e in h), h)
        h = history(output=False, hist_access_type="search", pattern="12 ?*", unique=True)
        c.check("history search unique: one entry per source", len(h) == 1, h)
        h = history(output=False, hist_access_type="search", pattern="12 ?*", n=3)
        c.check("history search n=3: the last 3 matches", len(h) == 3 and h[-1][1] > h[0][1], h)

        for code, pos, label in [("Math.max", 8, "at the end of a name"), ("Math.max", 6, "inside a name"),
                                 ("Math.max(", 9, "after an opening parenthesis")]:
            r = shell(lambda: kc.inspect(code, pos))
            c.check("inspect with the cursor %s" % label, r.get("status") == "ok" and r.get("found")
                    and "max" in r.get("data", {}).get("text/plain", ""), r)
        kc.kernel_info()
        info_reply = kc.get_shell_msg(timeout=10)["content"]
        c.check("kernel_info_reply has status ok and language java", info_reply.get("status") == "ok"
                and info_reply["language_info"]["name"] == "java", info_reply)

        execute(kc, "int kept = 7;")
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=START_TIMEOUT)
        reply, out = execute(kc, "kept")
        c.check("restart gives a fresh kernel", reply["status"] == "error", reply)
        reply, out = execute(kc, "6 * 7")
        c.check("the restarted kernel works", reply["status"] == "ok", reply)
        # shutdown while a cell runs: the kernel stops the cell and exits by itself
        kc.execute("while (true) { Thread.sleep(10); }")
        time.sleep(1.0)
    finally:
        graceful, detail = shut_down(km)
        c.check("shutdown (with a cell running) ends the kernel by itself", graceful, detail)
        kc.stop_channels()


def shut_down(km):
    """Asks the kernel to shut down; returns (whether it exited by itself, details). jupyter_client
    kills a kernel that is still alive after shutdown_wait_time, so is_alive() alone proves nothing."""
    proc = getattr(km.provisioner, "process", None)
    t0 = time.time()
    km.shutdown_kernel(now=False)
    took = time.time() - t0
    rc = proc.poll() if proc is not None else None
    return (rc is not None and rc >= 0 and took < km.shutdown_wait_time,
            "exit code %s after %.1fs (killed if negative or after %.0fs)" % (rc, took, km.shutdown_wait_time))


def starts(c, name, n):
    times = []
    failures = []
    for i in range(n):
        t0 = time.time()
        km = None
        try:
            km, kc = start(name)
            ready = time.time() - t0
            reply, out = execute(kc, "1 + %d" % i, timeout=30)
            if reply["status"] != "ok":
                raise RuntimeError("execute failed: %s" % reply)
            times.append(ready)
            kc.stop_channels()
        except Exception as e:  # a hang shows up as a timeout here
            failures.append("start %d: %s: %s" % (i + 1, type(e).__name__, e))
        finally:
            if km is not None:
                graceful, detail = shut_down(km)
                if not graceful:
                    failures.append("start %d: the kernel did not exit by itself: %s" % (i + 1, detail))
    summary = "%d/%d starts ok; ready in median %.2fs, max %.2fs" % (
        len(times), n, statistics.median(times) if times else float("nan"), max(times) if times else float("nan"))
    c.check("%d consecutive headless starts" % n, not failures, failures or summary)
    print("     " + summary, flush=True)
    return {"starts": n, "ok": len(times), "ready_median_s": statistics.median(times) if times else None,
            "ready_max_s": max(times) if times else None, "failures": failures}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kernel", default="mecam-java")
    ap.add_argument("--starts", type=int, default=50)
    ap.add_argument("--skip-behaviour", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()
    c = Checks()
    start_summary = None
    if not a.skip_behaviour:
        behaviour(c, a.kernel)
    if a.starts > 0:
        start_summary = starts(c, a.kernel, a.starts)
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"checks": c.results, "starts": start_summary}, f, indent=2)
    bad = c.failed()
    print("%d checks, %d failed" % (len(c.results), len(bad)), flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
