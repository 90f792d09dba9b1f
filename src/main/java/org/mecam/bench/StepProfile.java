package org.mecam.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mecam.config.ConfigJson;

/**
 * Where a step's time goes, from libtorch's own profiler (the legacy CPU profiler that DJL's JNI
 * starts and writes as a Chrome trace): per op, the calls and the self time (the op's time less
 * the ops it called, so that nothing is counted twice), and the time outside any op, which is the
 * host's: Java, DJL, JNI and the kit's own bookkeeping between ops.
 *
 * <p>The profiler adds its own cost to every op (a few microseconds), so the profiled wall time is
 * longer than the step's; the shares are what to read.
 */
public final class StepProfile {

    private StepProfile() {}

    /**
     * Starts libtorch's profiler (CPU ops, no memory; input shapes only with the system property
     * {@code mecam.profile.shapes=true}, since recording them doubled its cost here).
     */
    public static void start() {
        JniUtils.startProfile(false, Boolean.getBoolean("mecam.profile.shapes"), false);
    }

    /**
     * Stops the profiler, writes its trace and summarises it.
     *
     * @param trace where the Chrome trace goes (open it in chrome://tracing or Perfetto)
     * @param wallMs the wall time between {@link #start()} and this call
     * @param steps how many steps ran in between
     * @return the summary: wall, op and host time per step, and the ops by self time
     */
    public static Map<String, Object> stop(Path trace, double wallMs, int steps) throws IOException {
        JniUtils.stopProfile(trace.toString());
        return summarise(Files.readString(trace, StandardCharsets.UTF_8), wallMs, steps);
    }

    private record Event(String name, double ts, double dur, String tid) {}

    /** @return the summary of a trace written by DJL's JNI (a JSON list of complete events, microseconds) */
    static Map<String, Object> summarise(String json, double wallMs, int steps) {
        JsonArray array = ConfigJson.parse(json).getAsJsonArray();
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonElement e : array) {
            JsonObject o = e.getAsJsonObject();
            Event ev = new Event(o.get("name").getAsString(), o.get("ts").getAsDouble(), o.get("dur").getAsDouble(),
                    o.get("tid").getAsString());
            byThread.computeIfAbsent(ev.tid(), k -> new ArrayList<>()).add(ev);
        }
        Map<String, double[]> ops = new HashMap<>(); // name -> {calls, self us}
        double topLevelUs = 0;
        for (List<Event> events : byThread.values()) {
            events.sort(Comparator.comparingDouble(Event::ts).thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
            Deque<Event> open = new ArrayDeque<>();
            Map<Event, Double> childUs = new java.util.IdentityHashMap<>();
            for (Event ev : events) {
                while (!open.isEmpty() && open.peek().ts() + open.peek().dur() <= ev.ts()) {
                    close(open.pop(), childUs, ops);
                }
                if (open.isEmpty()) {
                    topLevelUs += ev.dur();
                } else {
                    childUs.merge(open.peek(), ev.dur(), Double::sum);
                }
                open.push(ev);
            }
            while (!open.isEmpty()) {
                close(open.pop(), childUs, ops);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        double opMs = topLevelUs / 1000.0 / steps;
        double wall = wallMs / steps;
        out.put("steps", steps);
        out.put("profiled_wall_ms_per_step", wall);
        out.put("in_ops_ms_per_step", opMs);
        out.put("host_ms_per_step", wall - opMs);
        out.put("host_share", (wall - opMs) / wall);
        List<Map<String, Object>> rows = new ArrayList<>();
        ops.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1])).forEach(e -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("op", e.getKey());
            r.put("calls_per_step", e.getValue()[0] / steps);
            r.put("self_ms_per_step", e.getValue()[1] / 1000.0 / steps);
            r.put("share_of_wall", e.getValue()[1] / 1000.0 / steps / wall);
            rows.add(r);
        });
        out.put("ops_by_self_time", rows);
        return out;
    }

    private static void close(Event ev, Map<Event, Double> childUs, Map<String, double[]> ops) {
        double[] a = ops.computeIfAbsent(ev.name(), k -> new double[2]);
        a[0]++;
        a[1] += Math.max(0, ev.dur() - childUs.getOrDefault(ev, 0.0));
        childUs.remove(ev);
    }
}
