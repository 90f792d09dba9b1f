package org.mecam.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mecam.config.ConfigException;

/**
 * A libtorch of the user's own, described as scripts/torch-jni.sh's environment file describes
 * it, is checked before DJL loads it: each fault is one line naming the folder or file, the
 * variable and the environment file, and the fix. Pure file checks on fake folders, no engine.
 */
class LibtorchCheckTest {

    @TempDir
    Path tmp;

    private Path lib;
    private Path cache;
    private Map<String, String> env;

    /** A complete fake CPU torch 2.13.0 with its JNI, as torch-jni.sh leaves it. */
    @BeforeEach
    void torch() throws IOException {
        lib = Files.createDirectories(tmp.resolve("venv/site-packages/torch/lib"));
        Files.writeString(lib.resolve("libtorch.so"), "x");
        Files.writeString(lib.resolve("libtorch_cpu.so"), "x");
        Files.writeString(lib.getParent().resolve("version.py"), "__version__ = '2.13.0+cpu'\ngit_version = 'abc'\n");
        cache = tmp.resolve("djl");
        jni("2.13.0-cpu");
        env = new HashMap<>(Map.of("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_VERSION", "2.13.0",
                "PYTORCH_FLAVOR", "cpu", "MECAM_TORCH", "/home/u/torch.env", "MECAM_TORCH_PYTHON", "/venv/bin/python"));
    }

    private void jni(String versionFlavor) throws IOException {
        Path d = Files.createDirectories(cache.resolve("pytorch").resolve(versionFlavor + "-" + LibtorchCheck.classifier()));
        Files.writeString(d.resolve("0.36.0-libdjl_torch.so"), "x");
    }

    private String fails(List<String> systemDirs) {
        ConfigException e = assertThrows(ConfigException.class, () -> LibtorchCheck.check(env::get, cache, systemDirs));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private String fails() {
        return fails(List.of());
    }

    @Test
    void completeTorchPasses() {
        assertDoesNotThrow(() -> LibtorchCheck.check(env::get, cache, List.of()));
    }

    @Test
    void bundledNeedsNothing() {
        assertDoesNotThrow(() -> LibtorchCheck.check(k -> null, cache, List.of()));
        assertDoesNotThrow(() -> LibtorchCheck.check(Map.of("PYTORCH_VERSION", "2.7.1")::get, cache, List.of()));
    }

    @Test
    void missingFolder() throws IOException {
        env.put("PYTORCH_LIBRARY_PATH", tmp.resolve("gone/torch/lib").toString());
        assertEquals("libtorch folder " + tmp.resolve("gone/torch/lib") + " (PYTORCH_LIBRARY_PATH from /home/u/torch.env)"
                + " does not exist; rerun scripts/torch-jni.sh --python /venv/bin/python (it rewrites /home/u/torch.env),"
                + " or use --torch bundled", fails());
        env.remove("MECAM_TORCH");
        String m = fails();
        assertTrue(m.contains("(PYTORCH_LIBRARY_PATH from the environment)") && m.contains("unset PYTORCH_LIBRARY_PATH"), m);
    }

    @Test
    void folderWithoutLibtorch() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        env.put("PYTORCH_LIBRARY_PATH", empty.toString());
        String m = fails();
        assertTrue(m.startsWith("libtorch folder " + empty + " (PYTORCH_LIBRARY_PATH from /home/u/torch.env) holds no"
                + " libtorch.so"), m);
        Files.delete(lib.resolve("libtorch_cpu.so"));
        env.put("PYTORCH_LIBRARY_PATH", lib.toString());
        m = fails();
        assertTrue(m.contains(lib + " (PYTORCH_LIBRARY_PATH from /home/u/torch.env) holds libtorch.so but no libtorch_cpu.so"), m);
    }

    @Test
    void versionMismatch() {
        env.put("PYTORCH_VERSION", "2.12.0");
        String m = fails();
        assertTrue(m.startsWith("libtorch in " + lib + " is version 2.13.0+cpu, but PYTORCH_VERSION from"
                + " /home/u/torch.env says 2.12.0; rerun scripts/torch-jni.sh"), m);
        env.remove("PYTORCH_VERSION");
        m = fails();
        assertTrue(m.contains("PYTORCH_VERSION is not set (DJL then assumes 2.7.1)"), m);
    }

    @Test
    void versionOfALibtorchArchive() throws IOException {
        Files.delete(lib.getParent().resolve("version.py"));
        assertNull(LibtorchCheck.recordedVersion(lib));
        Files.writeString(lib.getParent().resolve("build-version"), "2.13.0+cpu\n");
        assertEquals("2.13.0+cpu", LibtorchCheck.recordedVersion(lib));
        env.put("PYTORCH_VERSION", "2.5.1");
        assertTrue(fails().contains("is version 2.13.0+cpu, but PYTORCH_VERSION"));
    }

    @Test
    void missingJni() throws IOException {
        Path jni = cache.resolve("pytorch/2.13.0-cpu-" + LibtorchCheck.classifier() + "/0.36.0-libdjl_torch.so");
        Files.delete(jni);
        String m = fails();
        assertTrue(m.startsWith("DJL's JNI for torch 2.13.0 (cpu) is missing: " + jni + " does not exist"), m);
        assertTrue(m.contains("rerun scripts/torch-jni.sh --python /venv/bin/python"), m);
    }

    @Test
    void versionWithoutFolder() {
        env.remove("PYTORCH_LIBRARY_PATH");
        String m = fails();
        assertTrue(m.startsWith("PYTORCH_VERSION=2.13.0 from /home/u/torch.env is set without PYTORCH_LIBRARY_PATH"), m);
    }

    @Test
    void cudaFlavorNeedsCudaLibraries() throws IOException {
        env.put("PYTORCH_FLAVOR", "cu130");
        jni("2.13.0-cu130");
        String m = fails();
        assertTrue(m.startsWith("PYTORCH_FLAVOR=cu130 from /home/u/torch.env is a CUDA flavor, but libtorch folder " + lib
                + " holds no libtorch_cuda.so"), m);
        Files.writeString(lib.resolve("libtorch_cuda.so"), "x");
        Path system = Files.createDirectories(tmp.resolve("system-lib"));
        m = fails(List.of(system.toString()));
        assertTrue(m.startsWith("PYTORCH_FLAVOR=cu130 from /home/u/torch.env needs the CUDA runtime, but no libcudart.so*"
                + " is in LD_LIBRARY_PATH, " + lib + " or " + system), m);
        Path nvidia = Files.createDirectories(tmp.resolve("venv/site-packages/nvidia/cuda_runtime/lib"));
        Files.writeString(nvidia.resolve("libcudart.so.13"), "x");
        env.put("LD_LIBRARY_PATH", nvidia + ":/nowhere");
        assertDoesNotThrow(() -> LibtorchCheck.check(env::get, cache, List.of(system.toString())));
    }
}
