package org.mecam.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell's in-process execution engine, keeping what a notebook needs and JShell throws away:
 * the Java object a snippet evaluated to (JShell only keeps its {@code toString}), the exception
 * object it threw (JShell only keeps class name, message and frames), and the thread running it
 * (for cooperative interruption).
 *
 * <p>{@link LocalExecutionControl} invokes each snippet's static {@code do_it$} method and
 * immediately turns the result into a string, so it is handed a static trampoline instead, which
 * invokes the real method and records the result. One JShell per process is assumed (the kernel
 * has one).
 */
public final class CapturingExecutionControl extends LocalExecutionControl {

    private static final Method TRAMPOLINE;

    static {
        try {
            TRAMPOLINE = CapturingExecutionControl.class.getDeclaredMethod("trampoline");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static volatile Method target;
    private static volatile Object lastValue;
    private static volatile Throwable lastThrown;
    private static volatile Thread running;

    /**
     * Invoked (reflectively, with no receiver) by {@link LocalExecutionControl} in place of the
     * snippet's method; must be public because it is not made accessible.
     */
    public static Object trampoline() throws Throwable {
        running = Thread.currentThread();
        try {
            Object v = target.invoke(null);
            lastValue = v;
            return v;
        } catch (InvocationTargetException e) {
            lastThrown = e.getCause();
            throw e.getCause(); // wrapped again by the caller's Method.invoke: JShell sees the user's exception
        } finally {
            running = null;
        }
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        target = doitMethod;
        lastValue = null;
        lastThrown = null;
        return super.invoke(TRAMPOLINE);
    }

    /** @return the value of the last executed snippet (null if none, void or null), and forgets it */
    public static Object takeLastValue() {
        Object v = lastValue;
        lastValue = null;
        return v;
    }

    /** @return the exception the last executed snippet threw (null if none), and forgets it */
    public static Throwable takeLastThrown() {
        Throwable t = lastThrown;
        lastThrown = null;
        return t;
    }

    /** @return the thread executing a snippet now, or null */
    public static Thread runningThread() {
        return running;
    }

    /** Creates the engine for {@code JShell.builder().executionEngine(...)}. */
    public static final class Provider implements ExecutionControlProvider {

        @Override
        public String name() {
            return "mecam-local";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return new CapturingExecutionControl();
        }
    }
}
