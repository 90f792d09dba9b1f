package org.mecam;

import ai.djl.ndarray.NDManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The engine and one base NDManager per test class: starts the engine (one intra-op thread) and
 * assigns a new base manager to every static {@code NDManager} field marked {@link Managed}
 * before the class's tests, and closes it after them.
 *
 * <pre>{@code
 * @ExtendWith(NDManagerExtension.class)
 * class MyTest {
 *     @NDManagerExtension.Managed static NDManager manager;
 * }
 * }</pre>
 */
public final class NDManagerExtension implements BeforeAllCallback, AfterAllCallback {

    /** Marks the static field that receives the class's base manager. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Managed {}

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        TestSupport.start();
        for (Field f : fields(context)) {
            f.set(null, NDManager.newBaseManager());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IllegalAccessException {
        for (Field f : fields(context)) {
            NDManager m = (NDManager) f.get(null);
            if (m != null) {
                m.close();
                f.set(null, null);
            }
        }
    }

    private static java.util.List<Field> fields(ExtensionContext context) {
        java.util.List<Field> out = new java.util.ArrayList<>();
        for (Field f : context.getRequiredTestClass().getDeclaredFields()) {
            if (f.isAnnotationPresent(Managed.class)) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != NDManager.class) {
                    throw new IllegalStateException(f + ": @Managed needs a static NDManager field");
                }
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }
}
