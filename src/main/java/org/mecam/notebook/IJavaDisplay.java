package org.mecam.notebook;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

/**
 * Under the IJava kernel, makes a cell's last value render as it does in the kit's kernel: the
 * kit's renderers ({@link Renderers}, PNG charts, HTML tables) are registered with IJava's display
 * system, whose classes are reached by reflection (IJava is not on Maven Central, and the kit must
 * not need it). Each registration asks the kit's own renderer for the value's display data and
 * copies every MIME type of it into IJava's output. {@code notebooks/setup.jsh} calls
 * {@link #registerIfPresent()}; in any other kernel it does nothing.
 */
public final class IJavaDisplay {

    /** The kit's types that IJava would otherwise show as {@code toString()} text. */
    static final List<String> TYPES = List.of("org.knowm.xchart.internal.chartpart.Chart", "tech.tablesaw.api.Table",
            "org.mecam.report.TextTable", "org.mecam.data.io.DataInspector$Report", "org.mecam.config.RunConfig",
            "org.mecam.eval.SentimentMetrics", "org.mecam.experiment.RunResult");

    private static final List<MIMEType> MIME_TYPES = List.of(MIMEType.IMAGE_PNG, MIMEType.IMAGE_SVG, MIMEType.TEXT_HTML,
            MIMEType.TEXT_MARKDOWN, MIMEType.TEXT_PLAIN);

    private static volatile boolean registered;

    private IJavaDisplay() {}

    /**
     * Registers the kit's renderers with IJava's, once, when this JVM runs IJava.
     *
     * @return whether IJava was found (and its renderers now know the kit's types)
     */
    public static synchronized boolean registerIfPresent() {
        if (registered) {
            return true;
        }
        Class<?> ijava;
        try {
            ijava = Class.forName("io.github.spencerpark.ijava.IJava", false, IJavaDisplay.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return false;
        }
        try {
            Object kernel = ijava.getMethod("getKernelInstance").invoke(null);
            if (kernel == null) {
                return false;
            }
            Object renderer = kernel.getClass().getMethod("getRenderer").invoke(kernel);
            ClassLoader loader = ijava.getClassLoader();
            Class<?> function = Class.forName("io.github.spencerpark.jupyter.kernel.display.RenderFunction", true, loader);
            Renderer kit = Renderers.standalone();
            for (String name : TYPES) {
                Class<?> type = Class.forName(name, false, IJavaDisplay.class.getClassLoader());
                Object registration = renderer.getClass().getMethod("createRegistration", Class.class).invoke(renderer, type);
                String preferred = name.endsWith("Chart") ? "image/png" : "text/html";
                registration = registration.getClass().getMethod("preferring", String[].class)
                        .invoke(registration, (Object) new String[] {preferred});
                Object render = Proxy.newProxyInstance(loader, new Class<?>[] {function}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "render" -> copy(kit.render(args[0]), args[1]);
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "toString" -> {
                            return "mecam renderer for " + name;
                        }
                        default -> { }
                    }
                    return null;
                });
                registration.getClass().getMethod("register", function).invoke(registration, render);
            }
            registered = true;
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("mecam: could not register the kit's displays with IJava (" + e + "); values show as text");
            return false;
        }
    }

    /** Copies each MIME type of the kit's display data into IJava's render context's output. */
    private static void copy(DisplayData data, Object context) throws ReflectiveOperationException {
        Object out = context.getClass().getMethod("getOutputContainer").invoke(context);
        Method put = out.getClass().getMethod("putData", String.class, Object.class);
        for (MIMEType t : MIME_TYPES) {
            if (data.hasDataForType(t)) {
                put.invoke(out, t.toString(), data.getData(t));
            }
        }
    }
}
