#!/usr/bin/env python3
r"""Where a thread's time goes by JNI entry point, from a Java Flight Recording.

libtorch's own profiler (BenchWorker --profile) adds a fixed cost to each of the ~10,000 op
calls of a step and stretches short ops most; this reads the JVM's native-method samples
instead, which cost nothing per op: each sample names the native method the thread was in
(for the kit, the DJL JNI call: backward, lstm, dropout, linear, ...) and the first kit frame
below it; samples of the thread running Java code are counted beside them. Record with a 1 ms
period for both (the JDK's profile settings sample every 10 and 20 ms):

  sed -E 's/(control="method-sampling-(java|native)-interval">)[^<]*/\11 ms/' \
      "$JAVA_HOME/lib/jfr/profile.jfc" > /tmp/native1ms.jfc
  java -XX:StartFlightRecording=delay=10s,filename=rec.jfr,settings=/tmp/native1ms.jfc \
      -cp 'target/mecam.jar:target/lib/*' org.mecam.bench.BenchWorker step --mode features \
      --fusion attention --preset mosi --warmup 3 --steps 80 --threads 1 --out step.json

usage: scripts/jfr-native-profile.py REC.jfr [--thread main] [--top 20] [--out FILE.json]
Exit 2 with one error line when the recording is missing or holds no such samples.
"""
import argparse
import collections
import json
import re
import shutil
import subprocess
import sys


def die(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("recording")
    ap.add_argument("--thread", default="main")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--out")
    a = ap.parse_args()
    jfr = shutil.which("jfr")
    if jfr is None:
        die("the JDK's jfr tool is not on the PATH")
    p = subprocess.run([jfr, "print", "--events", "jdk.NativeMethodSample", a.recording],
                       capture_output=True, text=True)
    if p.returncode != 0:
        lines = (p.stderr or p.stdout).strip().splitlines()
        die("%s: jfr could not read it: %s" % (a.recording, lines[-1] if lines else "exit %d" % p.returncode))
    q = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample", a.recording], capture_output=True, text=True)
    java = sum(1 for e in q.stdout.split("jdk.ExecutionSample")[1:]
               if re.search(r'sampledThread = "%s"' % re.escape(a.thread), e))
    native = collections.Counter()
    kit = collections.Counter()
    n = 0
    for event in p.stdout.split("jdk.NativeMethodSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        if not thread or thread.group(1) != a.thread:
            continue
        frames = re.findall(r"^\s+([\w.$<>]+)\(.*?line:", event, re.M)
        if not frames:
            continue
        n += 1
        native[frames[0]] += 1
        own = [f for f in frames if f.startswith("org.mecam")]
        kit[own[0] if own else "(below the recorded stack depth)"] += 1
    if n == 0:
        die("%s: no native-method samples of thread '%s'" % (a.recording, a.thread))
    result = {
        "recording": a.recording,
        "thread": a.thread,
        "samples": n,
        "java_samples": java,
        "java_share": round(java / (java + n), 4),
        "by_native_method": [{"method": m, "share": round(c / n, 4)} for m, c in native.most_common(a.top)],
        "by_first_kit_frame": [{"frame": m, "share": round(c / n, 4)} for m, c in kit.most_common(a.top)],
    }
    for m in result["by_native_method"]:
        print("%5.1f %%  %s" % (100 * m["share"], m["method"]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
