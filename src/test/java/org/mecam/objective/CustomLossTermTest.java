package org.mecam.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.synthetic.SyntheticGenerator;
import org.mecam.data.synthetic.SyntheticSpec;
import org.mecam.experiment.Experiments;
import org.mecam.experiment.RunOptions;
import org.mecam.experiment.RunResult;
import org.mecam.model.MecamModel;
import org.mecam.train.EpochStats;
import org.mecam.train.ProgressLine;
import org.mecam.train.TrainingProgress;

/**
 * A loss term defined here, outside the kit, registered with {@link Objective#with}: it trains
 * (its gradient reaches the encoders), and every place that reports the objective finds it by
 * name: its column in epochs.csv (read back by name), its gradient diagnostics, its TensorBoard
 * tag, the progress line. Adding a term needs its class, its registration and a test.
 */
class CustomLossTermTest {

    /** A penalty on the fused representation: weight x mean(fused^2). */
    static final class FusedL2 implements LossTerm {
        @Override
        public String name() {
            return "fused_l2";
        }

        @Override
        public String weightKey() {
            return "one";
        }

        @Override
        public double weight(org.mecam.config.TrainSettings settings) {
            return 1e-3;
        }

        @Override
        public Stage stage() {
            return Stage.MAIN;
        }

        @Override
        public boolean appliesTo(MecamModel model) {
            return true;
        }

        @Override
        public Value compute(Step s) {
            NDArray f = s.output().fused();
            return Value.of(f.mul(f).mean());
        }
    }

    @BeforeAll
    static void start() {
        TestSupport.start();
    }

    @Test
    void aTermDefinedOutsideTheKitIsTrainedAndReportedByName(@TempDir Path tmp) throws Exception {
        RunConfig c = TestSupport.tiny("epochs=2", "results=" + tmp.resolve("results"));
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        Objective objective = Objective.standard().with(new FusedL2());
        List<String> lines = new ArrayList<>();
        TrainingProgress progress = new TrainingProgress() {
            private Objective seen;

            @Override
            public void onTrainingStart(Objective o) {
                seen = o;
            }

            @Override
            public void onEpochEnd(EpochStats s) {
                lines.add(ProgressLine.of(seen, s));
            }
        };
        RunResult run = Experiments.run(c, data, progress, null, RunOptions.none().withObjective(objective));

        List<String> csv = Files.readAllLines(run.dir().resolve("epochs.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        assertTrue(header.contains("fused_l2"), "its loss column: " + header);
        assertTrue(header.indexOf("fused_l2") < header.indexOf("train_loss"), "among the loss columns");
        for (String m : List.of("t", "a", "v")) {
            assertTrue(header.contains("grad_fused_l2_" + m), "its gradient diagnostics: " + header);
        }
        List<EpochStats> epochs = EpochStats.readCsv(run.dir().resolve("epochs.csv"));
        for (EpochStats e : epochs) {
            double v = e.term("fused_l2");
            assertTrue(Double.isFinite(v) && v > 0, "mean of squares, epoch " + e.epoch() + ": " + v);
            double g = e.diagnostic("grad_fused_l2_a");
            assertTrue(g > 0 || (Double.isNaN(g) && !e.improved() && e.epoch() % c.diagnosticsEvery != 0 && e.epoch() != 1),
                    "its gradient reaches the audio encoder (measured at epoch 1, each selected and every 5th epoch): " + g);
            assertEquals(run.training().epochs().get(e.epoch() - 1).term("fused_l2"), v, 0.0, "read back by name");
        }
        assertTrue(lines.get(0).contains("fused_l2 "), "progress line: " + lines.get(0));

        Path events;
        try (Stream<Path> files = Files.list(run.dir().resolve("tensorboard"))) {
            events = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).findFirst()
                    .orElseThrow();
        }
        List<String> tags = TensorBoardRecords.scalarTags(events);
        assertTrue(tags.contains("loss/fused_l2"), "its TensorBoard tag: " + tags);
        assertTrue(tags.contains("diagnostics/grad_fused_l2_v"), "its diagnostics tag: " + tags);
    }

    @Test
    void theTermChangesTrainingAndTheStandardObjectiveKeepsItsColumns(@TempDir Path tmp) {
        assertEquals(EpochStats.CSV_HEADER, EpochStats.header(Objective.standard()));
        assertFalse(EpochStats.CSV_HEADER.contains("fused_l2"));
        assertEquals(List.of("stage0_lld", "task", "contrastive", "lld", "entropy"), Objective.standard().names());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Objective.standard().with(new FusedL2()).with(new FusedL2()));
        assertTrue(twice.getMessage().contains("'fused_l2'"), twice.getMessage());

        RunConfig c = TestSupport.tiny("epochs=1", "diagnostics=false", "tensorboard=false",
                "results=" + tmp.resolve("results"));
        MultimodalDataset data = new SyntheticGenerator(SyntheticSpec.of(c)).generate();
        RunResult plain = Experiments.run(c, data, null, null, RunOptions.none());
        RunResult penalised = Experiments.run(c, data, null, null,
                RunOptions.none().withObjective(Objective.standard().with(new FusedL2())));
        assertNotEquals(plain.training().epochs().get(0).validMae(), penalised.training().epochs().get(0).validMae(),
                "the term's gradient changes the weights");
        assertTrue(Double.isNaN(plain.training().epochs().get(0).term("fused_l2")), "the standard objective has no such term");
    }

    /** Reads the scalar tags of a TensorBoard event file (TFRecord framing, Event / Summary protobufs). */
    static final class TensorBoardRecords {
        static List<String> scalarTags(Path file) throws java.io.IOException {
            byte[] all = Files.readAllBytes(file);
            List<String> tags = new ArrayList<>();
            int at = 0;
            while (at + 12 <= all.length) {
                long len = java.nio.ByteBuffer.wrap(all, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
                int start = at + 12;
                byte[] event = java.util.Arrays.copyOfRange(all, start, start + (int) len);
                tags.addAll(tagsOf(event));
                at = start + (int) len + 4;
            }
            return tags;
        }

        /** Event.summary (field 5) -> Summary.value (field 1) -> Value.tag (field 1). */
        private static List<String> tagsOf(byte[] event) {
            List<String> out = new ArrayList<>();
            for (byte[] summary : fields(event, 5)) {
                for (byte[] value : fields(summary, 1)) {
                    for (byte[] tag : fields(value, 1)) {
                        out.add(new String(tag, StandardCharsets.UTF_8));
                    }
                }
            }
            return out;
        }

        /** @return the length-delimited fields numbered {@code field} of a protobuf message */
        private static List<byte[]> fields(byte[] msg, int field) {
            List<byte[]> out = new ArrayList<>();
            int[] at = {0};
            while (at[0] < msg.length) {
                long key = varint(msg, at);
                int wire = (int) (key & 7);
                int number = (int) (key >>> 3);
                if (wire == 2) {
                    int len = (int) varint(msg, at);
                    if (number == field) {
                        out.add(java.util.Arrays.copyOfRange(msg, at[0], at[0] + len));
                    }
                    at[0] += len;
                } else if (wire == 0) {
                    varint(msg, at);
                } else if (wire == 1) {
                    at[0] += 8;
                } else if (wire == 5) {
                    at[0] += 4;
                } else {
                    break;
                }
            }
            return out;
        }

        private static long varint(byte[] b, int[] at) {
            long v = 0;
            for (int shift = 0; at[0] < b.length; shift += 7) {
                byte x = b[at[0]++];
                v |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            return v;
        }
    }
}
