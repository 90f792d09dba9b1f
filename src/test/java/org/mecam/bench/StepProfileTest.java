package org.mecam.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The profile summary: self time nets out nested ops, host time is what no top-level op covers. */
class StepProfileTest {

    private static String event(String name, double ts, double dur, int tid) {
        return "{\"name\": \"" + name + "\", \"ph\": \"X\", \"ts\": " + ts + ", \"dur\": " + dur + ", \"tid\": " + tid
                + ", \"pid\": \"CPU Functions\", \"shape\": [], \"cpu mem\": \"0 b\", \"args\": {}}";
    }

    @Test
    @SuppressWarnings("unchecked")
    void aProfiledBenchmarkWritesItsTraceAndSummary(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path trace = tmp.resolve("trace.json");
        int threads = org.mecam.engine.NativeRuntime.start().intraOpThreads(); // leave this JVM's thread count as it is
        Map<String, Object> m = StepBenchmark.run(org.mecam.config.TextMode.FEATURES, "attention",
                org.mecam.config.Preset.TINY, 8, 1, 2, threads, "cpu", trace).toMap();
        Map<String, Object> profile = (Map<String, Object>) m.get("profile");
        assertEquals(2, profile.get("steps"));
        double share = (Double) profile.get("host_share");
        org.junit.jupiter.api.Assertions.assertTrue(share > 0 && share < 1, "host share " + share);
        List<Map<String, Object>> ops = (List<Map<String, Object>>) profile.get("ops_by_self_time");
        org.junit.jupiter.api.Assertions.assertTrue(ops.stream().anyMatch(r -> "aten::mm".equals(r.get("op"))
                || "aten::addmm".equals(r.get("op"))), "the linear layers' products are profiled: " + ops.subList(0, 5));
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.size(trace) > 1000, "the Chrome trace is written");
        org.junit.jupiter.api.Assertions.assertNull(StepBenchmark.run(org.mecam.config.TextMode.FEATURES, "concat",
                org.mecam.config.Preset.TINY, 8, 0, 1, threads, "cpu").toMap().get("profile"), "no profile unless asked");
    }

    @Test
    @SuppressWarnings("unchecked")
    void selfTimeNetsOutNestedOpsAndHostTimeIsTheRest() {
        // two steps of 1 ms wall each; per step: matmul 400 us calling mm 300 us, which calls copy_ 50 us; add 100 us
        String trace = "[" + String.join(",\n", List.of(
                event("aten::matmul", 0, 400, 1), event("aten::mm", 50, 300, 1), event("aten::copy_", 100, 50, 1),
                event("aten::add", 500, 100, 1),
                event("aten::matmul", 1000, 400, 1), event("aten::mm", 1050, 300, 1), event("aten::copy_", 1100, 50, 1),
                event("aten::add", 1500, 100, 1))) + "]";
        Map<String, Object> s = StepProfile.summarise(trace, 2.0, 2);
        assertEquals(0.5, (Double) s.get("in_ops_ms_per_step"), 1e-9, "top level: matmul + add");
        assertEquals(0.5, (Double) s.get("host_ms_per_step"), 1e-9);
        Map<String, Double> self = new java.util.HashMap<>();
        for (Map<String, Object> row : (List<Map<String, Object>>) s.get("ops_by_self_time")) {
            self.put((String) row.get("op"), (Double) row.get("self_ms_per_step"));
            assertEquals(1.0, (Double) row.get("calls_per_step"), 1e-9, (String) row.get("op"));
        }
        assertEquals(Map.of("aten::mm", 0.25, "aten::matmul", 0.1, "aten::add", 0.1, "aten::copy_", 0.05), self);
        assertEquals("aten::mm", ((List<Map<String, Object>>) s.get("ops_by_self_time")).get(0).get("op"), "sorted");
    }
}
