package org.mecam.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header written from a compiled class declares what {@code javac -h} declares. */
class JniHeaderTest {

    private static final Pattern DECL =
            Pattern.compile("JNIEXPORT\\s+(\\w+)\\s+JNICALL\\s+(\\w+)\\s*\\(([^)]*)\\)");

    private static final String SOURCE = """
            package x.y_z;
            import java.nio.ByteBuffer;
            import java.util.Set;
            public final class Lib_Natives {
                static final int CONSTANT = 3;
                public native long add(long a, long b);
                public native long add(long a, double b, boolean... flags);
                public native long[] split(long h, long[] sizes, long dim);
                public native long[] split(long h, long size, long dim);
                public static native String name_of(int[] ids, String[] names, Object[] any);
                public native ByteBuffer data(Class<?> c, Throwable t, Set<String> s, byte[][] nested);
                public native void zero_grad(long h);
                native float f(float x, short s, char c, byte b);
                public long notNative() { return 0; }
            }
            """;

    @Test
    void declaresWhatJavacDeclares(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("x/y_z/Lib_Natives.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = dir.resolve("classes");
        Path javacHeaders = dir.resolve("h");
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-d", classes.toString(), "-h", javacHeaders.toString(), src.toString());
        assertEquals(0, rc, "javac failed");
        String expected = Files.readString(javacHeaders.resolve("x_y_z_Lib_Natives.h"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()})) {
            String ours = JniHeader.header(Class.forName("x.y_z.Lib_Natives", false, loader));
            Set<String> want = declarations(expected);
            assertEquals(8, want.size(), expected);
            assertEquals(want, declarations(ours));
            assertTrue(ours.contains("extern \"C\""), ours);
        }
    }

    /**
     * The header written from the PyTorchLibrary class in the jar declares, under the same symbol
     * names, exactly the JNI functions that DJL's PyTorch sources define (skipped without DJL's sources beside the repository).
     */
    @Test
    void coversDjlPyTorchSources() throws Exception {
        Path sources = Path.of("../shared/djl-jni-src/engines/pytorch/pytorch-native/src/main/native");
        Assumptions.assumeTrue(Files.isDirectory(sources), "skipped: no DJL JNI sources at " + sources.toAbsolutePath());
        String header = JniHeader.header(Class.forName("ai.djl.pytorch.jni.PyTorchLibrary", false,
                JniHeaderTest.class.getClassLoader()));
        Set<String> declared = new TreeSet<>();
        for (String d : declarations(header)) {
            declared.add(d.substring(0, d.indexOf('(')));
        }
        Set<String> defined = new TreeSet<>();
        Pattern def = Pattern.compile("JNIEXPORT\\s+\\w+\\s+JNICALL\\s+(Java_\\w+)\\s*\\(");
        try (Stream<Path> files = Files.list(sources)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".cc"))::iterator) {
                Matcher m = def.matcher(Files.readString(f));
                while (m.find()) {
                    defined.add(m.group(1));
                }
            }
        }
        assertTrue(defined.size() > 250, "found only " + defined.size() + " definitions");
        Set<String> undefined = new TreeSet<>(declared);
        undefined.removeAll(defined);
        assertEquals(Set.of(), undefined, "native in the class, but the sources define no such function");
        defined.removeAll(declared);
        // moduleSave is defined in the v0.36.0 sources but has no native method in the class
        assertEquals(Set.of("Java_ai_djl_pytorch_jni_PyTorchLibrary_moduleSave"), defined,
                "defined in the sources but not declared");
    }

    /** @return "name(types) -> return" for each declaration, whitespace and parameter names dropped */
    private static Set<String> declarations(String header) {
        Set<String> out = new TreeSet<>();
        Matcher m = DECL.matcher(header);
        while (m.find()) {
            out.add(m.group(2) + "(" + m.group(3).replaceAll("\\s+", "") + ") -> " + m.group(1));
        }
        return out;
    }
}
