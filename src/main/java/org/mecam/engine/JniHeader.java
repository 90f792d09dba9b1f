package org.mecam.engine;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the C header that {@code javac -h} would write for a class's native methods, from the
 * compiled class alone.
 *
 * <p>DJL's PyTorch JNI sources include {@code ai_djl_pytorch_jni_PyTorchLibrary.h}, which DJL's
 * own build generates with {@code javac -h} from {@code PyTorchLibrary.java}; that source is not
 * in the published jars, but the class is. The header only has to declare each native method
 * with C linkage and the JNI types of its parameters, so reflection over the class is enough:
 * {@code scripts/torch-jni.sh} calls {@code java -cp mecam.jar:lib/* org.mecam.engine.JniHeader
 * ai.djl.pytorch.jni.PyTorchLibrary OUT_DIR}. {@code JniHeaderTest} compares the output with
 * {@code javac -h}'s for a class with overloads, arrays, strings and static methods.
 */
public final class JniHeader {

    private JniHeader() {}

    /**
     * @param args the binary class name and the folder to write {@code <mangled class>.h} into
     * @throws Exception if the class cannot be loaded or the file cannot be written
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: JniHeader CLASS OUT_DIR");
            System.exit(2);
        }
        Class<?> c = Class.forName(args[0], false, JniHeader.class.getClassLoader());
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Path file = dir.resolve(c.getName().replace('.', '_') + ".h"); // javac names the file so
        Files.writeString(file, header(c), StandardCharsets.UTF_8);
        System.out.println(file);
    }

    /**
     * @param c a class with native methods (not initialized: its static block may load the very
     *     library being built)
     * @return the header text, declarations in the order of the method names
     */
    public static String header(Class<?> c) {
        String cname = mangle(c.getName());
        List<Method> natives = Arrays.stream(c.getDeclaredMethods())
                .filter(m -> Modifier.isNative(m.getModifiers()))
                .sorted(Comparator.comparing(Method::getName).thenComparing(JniHeader::descriptor))
                .collect(Collectors.toList());
        Map<String, Integer> count = new HashMap<>();
        natives.forEach(m -> count.merge(m.getName(), 1, Integer::sum));
        StringBuilder sb = new StringBuilder();
        sb.append("/* Written by org.mecam.engine.JniHeader from the compiled class, as javac -h would */\n")
                .append("#include <jni.h>\n")
                .append("#ifndef _Included_").append(cname).append('\n')
                .append("#define _Included_").append(cname).append('\n')
                .append("#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
        for (Method m : natives) {
            String name = "Java_" + cname + "_" + mangle(m.getName());
            if (count.get(m.getName()) > 1) {
                name += "__" + mangle(arguments(m));
            }
            StringBuilder params = new StringBuilder("JNIEnv *, ")
                    .append(Modifier.isStatic(m.getModifiers()) ? "jclass" : "jobject");
            for (Class<?> p : m.getParameterTypes()) {
                params.append(", ").append(jniType(p));
            }
            sb.append("JNIEXPORT ").append(jniType(m.getReturnType())).append(" JNICALL ").append(name)
                    .append("\n  (").append(params).append(");\n");
        }
        sb.append("#ifdef __cplusplus\n}\n#endif\n#endif\n");
        return sb.toString();
    }

    /** @return the JNI C type of a Java type, as in the JNI specification's type mapping */
    static String jniType(Class<?> t) {
        if (t.isPrimitive()) {
            return t == void.class ? "void" : "j" + t.getName();
        }
        if (t.isArray()) {
            Class<?> e = t.getComponentType();
            return e.isPrimitive() ? "j" + e.getName() + "Array" : "jobjectArray";
        }
        if (t == String.class) {
            return "jstring";
        }
        if (t == Class.class) {
            return "jclass";
        }
        if (Throwable.class.isAssignableFrom(t)) {
            return "jthrowable";
        }
        return "jobject";
    }

    /** @return the argument part of a method descriptor, e.g. {@code J[ILjava/lang/String;} */
    static String arguments(Method m) {
        StringBuilder sb = new StringBuilder();
        for (Class<?> p : m.getParameterTypes()) {
            sb.append(descriptor(p));
        }
        return sb.toString();
    }

    private static String descriptor(Method m) {
        return arguments(m);
    }

    private static String descriptor(Class<?> t) {
        if (t.isArray()) {
            return t.getName().replace('.', '/');
        }
        if (t.isPrimitive()) {
            return switch (t.getName()) {
                case "boolean" -> "Z";
                case "byte" -> "B";
                case "char" -> "C";
                case "short" -> "S";
                case "int" -> "I";
                case "long" -> "J";
                case "float" -> "F";
                case "double" -> "D";
                default -> "V";
            };
        }
        return "L" + t.getName().replace('.', '/') + ";";
    }

    /** @return a name or descriptor escaped as JNI symbol names require */
    static String mangle(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch == '.' || ch == '/') {
                sb.append('_');
            } else if (ch == '_') {
                sb.append("_1");
            } else if (ch == ';') {
                sb.append("_2");
            } else if (ch == '[') {
                sb.append("_3");
            } else if (ch < 128 && Character.isLetterOrDigit(ch)) {
                sb.append(ch);
            } else {
                sb.append(String.format("_0%04x", (int) ch));
            }
        }
        return sb.toString();
    }
}
