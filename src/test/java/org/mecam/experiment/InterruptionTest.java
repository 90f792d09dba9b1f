package org.mecam.experiment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.RunConfig;
import org.mecam.engine.Interruption;
import org.mecam.train.TrainingProgress;

/** An interrupted run (a notebook's interrupt button) stops at the next batch and leaves no run directory. */
class InterruptionTest {

    @TempDir
    Path tmp;

    @AfterEach
    void clear() {
        Interruption.clear();
    }

    @Test
    void interruptedTrainingStopsAtTheNextBatchAndWritesNothing() throws Exception {
        TestSupport.start();
        RunConfig c = TestSupport.tiny("epochs=5");
        c.results = tmp.resolve("results").toString();
        int[] batches = new int[1];
        TrainingProgress interruptAtThirdBatch = new TrainingProgress() {
            @Override
            public void onBatch(int epoch, int stage, int batch, double loss) {
                if (++batches[0] == 3) {
                    Interruption.request();
                }
            }
        };
        assertThrows(Interruption.InterruptedRunException.class, () -> Experiments.run(c, interruptAtThirdBatch));
        assertTrue(batches[0] == 3, "stopped at the batch after the request, ran " + batches[0]);
        assertFalse(Files.exists(tmp.resolve("results")), "no run directory, complete or staged, and no results root");
        Interruption.clear();
        assertTrue(Experiments.run(c, null).succeeded(), "the next run is not affected");
    }
}
