package org.mecam.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.TestSupport;
import org.mecam.config.ConfigException;
import org.mecam.data.io.Npy;

/** Weights in a .npz of .npy arrays: a round trip, the shared .npy writer, and damaged or mismatched files named. */
class CheckpointTest {

    @Test
    void savesAndLoadsWeightsThroughTheSharedNpyFormat(@TempDir Path dir) throws Exception {
        TestSupport.start();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block saved = linear(manager, 3);
            Path file = dir.resolve("model.npz");
            Checkpoint.save(saved, file);
            Block loaded = linear(manager, 3);
            Checkpoint.assign(loaded.getParameters().get(0).getValue().getArray(), new float[6]);
            Checkpoint.load(loaded, file);
            for (int i = 0; i < saved.getParameters().size(); i++) {
                assertArrayEquals(saved.getParameters().get(i).getValue().getArray().toFloatArray(),
                        loaded.getParameters().get(i).getValue().getArray().toFloatArray());
            }

            ByteArrayOutputStream viaCheckpoint = new ByteArrayOutputStream();
            ByteArrayOutputStream viaNpy = new ByteArrayOutputStream();
            Checkpoint.writeNpy(viaCheckpoint, new Shape(2, 3), new float[6]);
            Npy.writeFloat32(viaNpy, new long[] {2, 3}, new float[6]);
            assertArrayEquals(viaNpy.toByteArray(), viaCheckpoint.toByteArray());

            ConfigException shape = assertThrows(ConfigException.class, () -> Checkpoint.load(linear(manager, 4), file));
            assertTrue(shape.getMessage().contains("has shape [2, 3], the model expects [2, 4]"), shape.getMessage());

            Path cut = dir.resolve("cut.npz");
            byte[] bytes = Files.readAllBytes(file);
            Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
            ConfigException damaged = assertThrows(ConfigException.class, () -> Checkpoint.load(linear(manager, 3), cut));
            assertTrue(damaged.getMessage().startsWith(cut + ": not a readable checkpoint (a truncated or damaged .npz"),
                    damaged.getMessage());

            Path empty = Files.createFile(dir.resolve("empty.npz"));
            ConfigException none = assertThrows(ConfigException.class, () -> Checkpoint.load(linear(manager, 3), empty));
            assertEquals(empty + ": not a checkpoint (0 bytes, no .npy arrays in it); train the run again or restore the file",
                    none.getMessage());
        }
    }

    private static Block linear(NDManager manager, int inputs) {
        Block b = Linear.builder().setUnits(2).build();
        b.initialize(manager, DataType.FLOAT32, new Shape(1, inputs));
        return b;
    }
}
