package org.mecam.experiment.grid;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.mecam.TestSupport;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.RunConfig;

/** The memory a grid worker needs, and the refusal of more workers than fit. */
class WorkerMemoryTest {

    @Test
    void estimatesScaleWithTheDataAndTheForestNeedsMore() {
        RunConfig mosi = ConfigJson.load("mosi");
        // 2199 samples x (50 x 768 + 50 x 5 + 50 x 20) floats x 4 bytes
        assertEquals(2199 * 39650 * 4 / 1048576.0, WorkerMemory.dataMb(mosi), 1e-6);
        double features = WorkerMemory.estimateMb(mosi);
        assertTrue(features > 1500 && features < 2500, "measured grid workers: 1.1 to 2.1 GiB; estimate " + features);
        mosi.method = "tribuo-forest";
        assertTrue(WorkerMemory.estimateMb(mosi) > 3 * features, "the forest's workers measured 6.9 GiB");
        RunConfig tiny = TestSupport.tiny();
        assertTrue(WorkerMemory.estimateMb(tiny) < 700, "tiny: the JVM and libtorch, hardly any data");
    }

    @Test
    void moreWorkersThanFitAreRefusedWithTheNumberThatFits() {
        ConfigException e = assertThrows(ConfigException.class, () -> WorkerMemory.check("g", 2000, 9000, 8));
        assertTrue(e.getMessage().contains("--workers 8: grid g needs about 2000 MiB per worker and 9000 MiB are"
                + " available (MemAvailable): at most 4 fit; use --workers 4"), e.getMessage());
        assertDoesNotThrow(() -> WorkerMemory.check("g", 2000, 9000, 4));
        ConfigException one = assertThrows(ConfigException.class, () -> WorkerMemory.check("g", 8000, 4000, 2));
        assertTrue(one.getMessage().contains("at most 1 fit"), one.getMessage());
    }

    @Test
    void aGridsFinishedRunsTellWhatItsWorkersNeed(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        TestSupport.start();
        Grid g = Grid.load("smoke").scaled(1, 0, java.util.List.of(1111L));
        Path root = tmp.resolve("r");
        GridRunner.runIndices(g, root, java.util.List.of(0), null);
        double measured = org.mecam.experiment.run.RunFiles.epochs(g.expand().get(0).dir(root, g.name())).get(0).rssMb();
        assertTrue(WorkerMemory.perWorkerMb(g, root, g.expand()) >= measured, "at least the finished run's peak");
    }
}
