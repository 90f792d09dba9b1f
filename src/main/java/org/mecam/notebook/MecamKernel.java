package org.mecam.notebook;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.Loop;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;
import org.mecam.config.ConfigException;
import org.mecam.engine.Interruption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kit's Jupyter kernel: JShell in this process (so the kit's classes, DJL and the display
 * helpers are on the classpath with no magics) behind the Jupyter protocol of
 * {@code org.dflib.jjava:jjava-jupyter}.
 *
 * <p>What it adds to that library's base kernel: the Java value of a cell's last expression
 * (rendered as chart, table or text), compile errors and exceptions as Jupyter errors whose first
 * traceback line is {@code ename: evalue}, cooperative interruption of training (then
 * {@code JShell.stop} after a grace period), {@code stop_on_error} (requests queued before a
 * failing cell are aborted), IJava's {@code %classpath} and {@code %jars}, replies the base kernel
 * omits ({@code kernel_info_reply.status}, {@code history_reply}), survival of malformed or badly
 * signed messages, and exit when the connection closes or the client process dies.
 */
public final class MecamKernel extends BaseKernel {

    /** The kernelspec name. */
    public static final String NAME = "mecam-java";

    /** How often a running cell's printed output is sent (printing is coalesced in between). */
    static final long FLUSH_MILLIS = 100;

    /** How long a cell may take to reach a cooperative interruption check before it is stopped by force. */
    static final long STOP_GRACE_MILLIS = 3000;

    /** Imports every cell starts with: the jshell tool's defaults and the notebook helpers. */
    static final List<String> DEFAULT_IMPORTS = List.of("java.io.*", "java.math.*", "java.net.*", "java.nio.file.*",
            "java.util.*", "java.util.concurrent.*", "java.util.function.*", "java.util.regex.*", "java.util.stream.*",
            "static org.mecam.notebook.Notebook.*");

    private static final Logger LOG = LoggerFactory.getLogger(MecamKernel.class);

    private final JShell jshell;
    private final KernelIO kernelIo;
    private final Set<String> classpath = new LinkedHashSet<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mecam-kernel-interrupt");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean interrupted;
    /** The serial number of the cell being executed, 0 between cells. */
    private volatile long runningCell;
    private long cellSerial;
    private volatile Instant abortBefore;

    /** The base library's IO with its environment hooks opened to this kernel. */
    private static final class KernelIO extends JupyterIO {

        KernelIO() {
            super(StandardCharsets.UTF_8);
        }

        void attach(ShellReplyEnvironment env) {
            setEnv(env);
        }

        void detach(ShellReplyEnvironment env) {
            retractEnv(env);
        }

        void stdinEnabled(boolean enabled) {
            setJupyterInEnabled(enabled);
        }
    }

    /**
     * Collects what a cell prints and hands it on in one piece when flushed (every
     * {@link #FLUSH_MILLIS} and at the end of the cell), so that a {@code printf} becomes one
     * stream message rather than one per formatted piece.
     */
    private static final class Coalescing extends OutputStream {

        private static final int LIMIT = 1 << 16;

        private final PrintStream target;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        Coalescing(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            buffer.write(b);
            if (buffer.size() >= LIMIT) {
                flush();
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
            if (buffer.size() >= LIMIT) {
                flush();
            }
        }

        @Override
        public synchronized void flush() {
            if (buffer.size() > 0) {
                target.write(buffer.toByteArray(), 0, buffer.size());
                target.flush();
                buffer.reset();
            }
        }
    }

    /** A cell failure as Jupyter reports it. */
    static final class KernelError extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final String ename;
        final String evalue;
        final List<String> traceback;

        KernelError(String ename, String evalue, List<String> details) {
            super(ename + ": " + evalue, null, false, false);
            this.ename = ename;
            this.evalue = evalue;
            List<String> tb = new ArrayList<>();
            tb.add(ename + ": " + evalue);
            tb.addAll(details);
            this.traceback = List.copyOf(tb);
        }
    }

    /** {@code kernel_info_reply} with the {@code status} field the base library leaves out. */
    static final class KernelInfoReplyOk extends KernelInfoReply {

        @SuppressWarnings("unused") // serialised by Gson
        private final String status = "ok";

        KernelInfoReplyOk(BaseKernel k) {
            super(Header.PROTOCOL_VERISON, k.getName(), k.getVersion(), k.getLanguageInfo(), k.getBanner(),
                    k.getHelpLinks());
        }
    }

    /**
     * {@code history_reply}: the base library's reply lacks {@code status}, and its entries are
     * not written as the protocol's {@code [session, line, input]} or {@code [session, line,
     * [input, output]]} arrays.
     */
    static final class HistoryReplyOk {

        @SuppressWarnings("unused")
        private final String status = "ok";

        @SuppressWarnings("unused")
        private final List<List<Object>> history;

        HistoryReplyOk(List<org.dflib.jjava.jupyter.kernel.history.HistoryEntry> entries) {
            history = entries.stream().map(e -> List.<Object>of(e.getSession(), e.getCellNumber(),
                    e.hasOutput() ? List.of(e.getInput(), e.getOutput()) : e.getInput())).toList();
        }
    }

    /** The {@code execute_reply} of a request aborted after an earlier error. */
    static final class AbortedReply {

        @SuppressWarnings("unused")
        private final String status = "aborted";

        // named as the protocol field, without a gson annotation: the kit's jar relocates its own
        // gson (so that kernels with an older gson on their class path, such as IJava, do not
        // break it), and jjava serialises this reply with the gson it brings
        @SuppressWarnings({"unused", "checkstyle:MemberName"})
        private final int execution_count;

        AbortedReply(int executionCount) {
            this.execution_count = executionCount;
        }
    }

    private final CellHistory history = new CellHistory();

    public MecamKernel() {
        this(new KernelIO());
    }

    private MecamKernel(KernelIO io) {
        super(NAME, version(), new LanguageInfo.Builder("java").version(Runtime.version().toString())
                        .mimetype("text/x-java-source").fileExtension(".jshell").pygments("java").codemirror("java")
                        .build(),
                List.of(), null, io, new CommManager(), new Renderer(),
                new MagicParser("(?<=(?:^|=))\\s*%", "%%", new MagicTranspiler()), new MagicsRegistry(), false,
                new StringStyler.Builder().build());
        this.kernelIo = io;
        Renderers.registerAll(renderer);
        jshell = JShell.builder().executionEngine(new CapturingExecutionControl.Provider(), Map.of()).build();
        addToClasspath(runtimeClasspath());
        for (String imp : DEFAULT_IMPORTS) {
            List<SnippetEvent> events = jshell.eval("import " + imp + ";");
            if (events.stream().anyMatch(e -> e.status() == Snippet.Status.REJECTED)) {
                throw new IllegalStateException("the kernel cannot import " + imp + " (is the kit on the classpath?)");
            }
        }
        magicsRegistry.registerLineMagic("classpath", (kernel, args) -> {
            addPaths("%classpath", args, true);
            return null;
        });
        magicsRegistry.registerLineMagic("jars", (kernel, args) -> {
            addPaths("%jars", args, false);
            return null;
        });
        magicsRegistry.registerLineMagic("maven", (kernel, args) -> {
            throw new IllegalArgumentException("%maven is not supported: this kernel runs offline, and the kit's"
                    + " dependencies are already on its classpath; add other jars with %jars PATH");
        });
    }

    private static String version() {
        String v = MecamKernel.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    // ---- running a kernel

    /**
     * Serves one Jupyter connection until it is shut down, or until the client process exits.
     *
     * @param connectionFile the connection file Jupyter passes as {@code {connection_file}}
     */
    public static void serve(Path connectionFile) throws Exception {
        KernelConnectionProperties props;
        try {
            props = KernelConnectionProperties.parse(Files.readString(connectionFile, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("cannot read the Jupyter connection file " + connectionFile.toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        JupyterConnection connection = new JupyterConnection(props);
        MecamKernel kernel = new MecamKernel();
        kernel.onStartup();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        // a malformed or badly signed message throws out of a channel loop, which would end it for good
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t instanceof Loop loop) {
                loop.onError(e -> {
                    LOG.warn("{}: ignored a message that could not be handled: {}", t.getName(), e.toString());
                    return 50;
                });
            }
        }
        exitWithClient();
        connection.waitUntilClose();
    }

    /** Exits when the process that started the kernel exits (a killed client must not leave kernels behind). */
    private static void exitWithClient() {
        java.util.Optional<ProcessHandle> parent;
        try {
            String pid = System.getenv("JPY_PARENT_PID");
            parent = pid != null && !pid.isBlank() ? ProcessHandle.of(Long.parseLong(pid.trim()))
                    : ProcessHandle.current().parent();
        } catch (NumberFormatException e) {
            parent = ProcessHandle.current().parent();
        }
        parent.ifPresent(p -> p.onExit().thenRun(() -> {
            LOG.warn("the client process {} exited; shutting down", p.pid());
            Runtime.getRuntime().halt(0);
        }));
    }

    // ---- classpath

    /** @return this JVM's classpath with the jars named by manifests' Class-Path (e.g. target/lib/ of mecam.jar) */
    static List<String> runtimeClasspath() {
        Set<String> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                withManifest(Path.of(e).toAbsolutePath().normalize(), out);
            }
        }
        return new ArrayList<>(out);
    }

    private static void withManifest(Path p, Set<String> out) {
        if (!out.add(p.toString()) || !p.toString().endsWith(".jar") || !Files.isRegularFile(p)) {
            return;
        }
        try (JarFile jar = new JarFile(p.toFile())) {
            Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return;
            }
            for (String entry : cp.trim().split("\\s+")) {
                Path resolved = entry.startsWith("file:") ? Path.of(URI.create(entry))
                        : p.getParent().resolve(entry.replace('/', File.separatorChar));
                withManifest(resolved.toAbsolutePath().normalize(), out);
            }
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the manifest of {}: {}", p, e.toString());
        }
    }

    private void addToClasspath(List<String> entries) {
        List<String> fresh = new ArrayList<>();
        for (String e : entries) {
            if (classpath.add(e)) {
                fresh.add(e);
            }
        }
        if (!fresh.isEmpty()) {
            jshell.addToClasspath(String.join(File.pathSeparator, fresh));
        }
    }

    /** IJava's {@code %classpath} (files and directories, globs) and {@code %jars} (jar files, globs). */
    private void addPaths(String magic, List<String> args, boolean directories) throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException(magic + " needs at least one path or glob");
        }
        Path cwd = Path.of("").toAbsolutePath();
        List<String> found = new ArrayList<>();
        for (String arg : args) {
            for (String part : arg.split(File.pathSeparator)) {
                if (part.isBlank()) {
                    continue;
                }
                List<Path> matches = glob(cwd, part);
                List<Path> usable = matches.stream().filter(p -> directories ? Files.exists(p) : Files.isRegularFile(p))
                        .toList();
                if (usable.isEmpty()) {
                    throw new IllegalArgumentException(magic + " " + part + ": no " + (directories ? "file or directory"
                            : "jar file") + " matches (relative to " + cwd + ")");
                }
                usable.forEach(p -> found.add(p.toAbsolutePath().normalize().toString()));
            }
        }
        addToClasspath(found);
    }

    /** @return the paths matching a glob ({@code *}, {@code ?}, {@code **}, {@code [..]}, {@code {a,b}}), relative to {@code cwd} */
    static List<Path> glob(Path cwd, String pattern) throws IOException {
        String norm = pattern.replace('\\', '/');
        List<String> parts = new ArrayList<>(List.of(norm.split("/", -1)));
        int literal = 0;
        while (literal < parts.size() && !parts.get(literal).matches(".*[*?\\[{].*")) {
            literal++;
        }
        if (literal == parts.size()) {
            Path p = cwd.resolve(pattern);
            return Files.exists(p) ? List.of(p) : List.of();
        }
        String prefix = String.join("/", parts.subList(0, literal));
        Path base = prefix.isEmpty() && norm.startsWith("/") ? Path.of("/") : cwd.resolve(prefix.isEmpty() ? "." : prefix);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        String rest = String.join("/", parts.subList(literal, parts.size()));
        var matcher = base.getFileSystem().getPathMatcher("glob:" + rest);
        int depth = rest.contains("**") ? Integer.MAX_VALUE : parts.size() - literal;
        try (var walk = Files.walk(base, depth)) {
            return walk.filter(p -> !p.equals(base) && matcher.matches(base.relativize(p))).sorted().toList();
        }
    }

    // ---- evaluation

    @Override
    public Object evalRaw(String code) {
        String source = magicParser.resolveMagics(inlineLoads(code));
        SourceCodeAnalysis sca = jshell.sourceCodeAnalysis();
        Object result = null;
        String remaining = source;
        while (true) {
            SourceCodeAnalysis.CompletionInfo info = sca.analyzeCompletion(remaining);
            SourceCodeAnalysis.Completeness c = info.completeness();
            if (c == SourceCodeAnalysis.Completeness.EMPTY) {
                return result;
            }
            if (c.isComplete()) {
                result = evalSnippet(info.source());
                remaining = info.remaining();
                continue;
            }
            if (c == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                    || c == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                throw new KernelError("CompilationException", "incomplete code at the end of the cell (a missing ';',"
                        + " ')' or '}'?)", remaining.strip().lines().map(l -> "    " + l).toList());
            }
            // not analysable: let the compiler say what is wrong
            return evalSnippet(remaining);
        }
    }

    private static final java.util.regex.Pattern LOAD = java.util.regex.Pattern.compile("(?m)^[ \\t]*%load[ \\t]+(\\S+)[ \\t]*$");

    /**
     * IJava's {@code %load FILE}: the file's Java code in place of the line (relative paths from
     * the kernel's working directory, the notebook's folder), so that notebooks share one setup.
     */
    static String inlineLoads(String code) {
        java.util.regex.Matcher m = LOAD.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Path file = Path.of(m.group(1));
            String text;
            try {
                text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new KernelError("IOException", "%load " + m.group(1) + ": cannot read " + file.toAbsolutePath()
                        + " (" + e.getMessage() + ")", List.of());
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(text.strip()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Object evalSnippet(String src) {
        if (interrupted) {
            throw interruptedError();
        }
        List<SnippetEvent> events = jshell.eval(src);
        if (interrupted) {
            throw interruptedError();
        }
        Object value = null;
        boolean sawSnippet = false;
        for (SnippetEvent ev : events) {
            if (ev.causeSnippet() != null) {
                continue;
            }
            sawSnippet = true;
            if (ev.exception() != null) {
                throw userError(ev.exception());
            }
            Snippet sn = ev.snippet();
            if (ev.status() == Snippet.Status.REJECTED) {
                throw compileError(sn);
            }
            if (ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED
                    || ev.status() == Snippet.Status.RECOVERABLE_DEFINED) {
                String missing = sn instanceof DeclarationSnippet d
                        ? jshell.unresolvedDependencies(d).collect(Collectors.joining(", ")) : "";
                if (ev.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
                    throw new KernelError("CompilationException", "cannot define this until " + missing
                            + " is declared", List.of());
                }
                System.err.println("note: declared, but it cannot be used until " + missing + " is declared");
            }
            value = switch (sn.subKind()) {
                case VAR_VALUE_SUBKIND, TEMP_VAR_EXPRESSION_SUBKIND, OTHER_EXPRESSION_SUBKIND ->
                        CapturingExecutionControl.takeLastValue();
                default -> null;
            };
        }
        if (!sawSnippet) {
            throw new KernelError("CompilationException", "this code could not be compiled", List.of("    " + src.strip()));
        }
        return value;
    }

    private KernelError interruptedError() {
        return new KernelError("Interrupted", "the cell was interrupted", List.of());
    }

    private KernelError userError(JShellException shown) {
        Throwable real = CapturingExecutionControl.takeLastThrown();
        if (interrupted || real instanceof Interruption.InterruptedRunException) {
            return interruptedError();
        }
        if (real != null) {
            // magics run through BaseNotebookStatics, which wraps what they throw
            if (real.getCause() != null && real.getStackTrace().length > 0
                    && real.getStackTrace()[0].getClassName().equals(BaseNotebookStatics.class.getName())) {
                real = real.getCause();
            }
            return of(real);
        }
        if (shown instanceof UnresolvedReferenceException u) {
            String missing = jshell.unresolvedDependencies(u.getSnippet()).collect(Collectors.joining(", "));
            return new KernelError("UnresolvedReferenceException", "this uses " + u.getSnippet().source().strip()
                    + ", which cannot run until " + missing + " is declared", List.of());
        }
        String name = shown instanceof EvalException e ? e.getExceptionClassName() : shown.getClass().getName();
        return new KernelError(name, String.valueOf(shown.getMessage()), frames(shown));
    }

    /** @return the error of a Java exception: its class, message, the cell's frames and the causes */
    static KernelError of(Throwable t) {
        if (t instanceof KernelError k) {
            return k;
        }
        return new KernelError(t.getClass().getName(), t.getMessage() == null ? "" : t.getMessage(), frames(t));
    }

    /** @return the stack trace below the first line, without the frames of the kernel and JShell's reflection */
    private static List<String> frames(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        List<String> lines = new ArrayList<>();
        boolean skipping = false;
        List<String> all = sw.toString().lines().toList();
        for (int i = 1; i < all.size(); i++) {
            String line = all.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("Caused by:") || trimmed.startsWith("Suppressed:")) {
                skipping = false;
                lines.add(line);
                continue;
            }
            if (trimmed.startsWith("at ") && (trimmed.contains("org.mecam.notebook.CapturingExecutionControl")
                    || trimmed.contains("jdk.internal.reflect.") || trimmed.contains("java.lang.reflect.Method.invoke")
                    || trimmed.contains("jdk.jshell.execution."))) {
                skipping = true;
            }
            if (!skipping) {
                lines.add(line);
            }
        }
        return lines;
    }

    private KernelError compileError(Snippet sn) {
        List<String> details = new ArrayList<>();
        String first = null;
        String src = sn.source();
        for (Diag d : jshell.diagnostics(sn).toList()) {
            if (!d.isError()) {
                continue;
            }
            String msg = d.getMessage(Locale.ROOT);
            if (first == null) {
                first = msg.lines().findFirst().orElse(msg);
                msg.lines().skip(1).forEach(l -> details.add("  " + l.strip()));
            } else {
                msg.lines().forEach(l -> details.add("  " + l.strip()));
            }
            int start = (int) Math.max(0, Math.min(d.getStartPosition(), src.length()));
            int end = (int) Math.max(start, Math.min(d.getEndPosition(), src.length()));
            int lineStart = src.lastIndexOf('\n', Math.max(0, start - 1)) + 1;
            if (start == 0) {
                lineStart = 0;
            }
            int lineEnd = src.indexOf('\n', start);
            if (lineEnd < 0) {
                lineEnd = src.length();
            }
            details.add("    " + src.substring(lineStart, lineEnd));
            int caretEnd = Math.max(start + 1, Math.min(end, lineEnd));
            details.add("    " + " ".repeat(start - lineStart) + "^" + (caretEnd - start > 1
                    ? "-".repeat(caretEnd - start - 2) + "^" : ""));
        }
        return new KernelError("CompilationException", first == null ? "the code could not be compiled" : first, details);
    }

    // ---- protocol

    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        Instant abort = abortBefore;
        if (abort != null && sentBefore(message, abort)) {
            env.setBusyDeferIdle();
            replyRaw(env, new AbortedReply(executionCount.get()));
            return;
        }
        boolean store = !request.isSilent() && request.shouldStoreHistory();
        int count = store ? executionCount.getAndIncrement() : executionCount.get();
        if (store) {
            history.add(count, request.getCode());
        }
        env.setBusyDeferIdle();
        if (!request.isSilent()) {
            env.publish(new PublishExecuteInput(request.getCode(), count));
        }
        kernelIo.attach(env);
        env.defer(() -> kernelIo.detach(env));
        kernelIo.stdinEnabled(request.isStdinEnabled());
        interrupted = false;
        Interruption.clear();
        runningCell = ++cellSerial;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        PrintStream cellOut = new PrintStream(new Coalescing(kernelIo.out), false, StandardCharsets.UTF_8);
        PrintStream cellErr = new PrintStream(new Coalescing(kernelIo.err), false, StandardCharsets.UTF_8);
        System.setOut(cellOut);
        System.setErr(cellErr);
        System.setIn(kernelIo.in);
        ScheduledFuture<?> flusher = scheduler.scheduleAtFixedRate(() -> {
            cellOut.flush();
            cellErr.flush();
        }, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        try {
            DisplayData out;
            try {
                out = eval(request.getCode());
            } finally {
                flusher.cancel(false);
                cellOut.flush();
                cellErr.flush();
                System.setOut(oldOut);
                System.setErr(oldErr);
                System.setIn(oldIn);
            }
            if (out != null && !request.isSilent()) {
                env.publish(new PublishExecuteResult(count, out));
            }
            if (store && out != null && out.hasDataForType(MIMEType.TEXT_PLAIN)) {
                history.output(count, String.valueOf(out.getData(MIMEType.TEXT_PLAIN)));
            }
            env.defer().reply(new ExecuteReply(count, Collections.emptyMap()));
        } catch (Throwable t) { // an Error (from user code or a toString) must not end the shell thread
            KernelError e = of(t);
            if (request.shouldStopOnError()) {
                abortBefore = Instant.now();
            }
            ErrorReply reply = new ErrorReply(e.ename, e.evalue, e.traceback);
            reply.setExecutionCount(count);
            env.publish(new PublishError(e.ename, e.evalue, e.traceback));
            env.defer().replyError(ExecuteReply.MESSAGE_TYPE.error(), reply);
        } finally {
            runningCell = 0;
            interrupted = false;
            Interruption.clear();
        }
    }

    /** @return whether the request was sent before {@code when} (false if its date cannot be read) */
    private static boolean sentBefore(Message<?> message, Instant when) {
        try {
            String date = message.getHeader().getTimestamp().getDateString();
            return OffsetDateTime.parse(date).toInstant().isBefore(when);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void replyRaw(ShellReplyEnvironment env, Object content) {
        env.reply(new Message(env.getContext(), MessageType.EXECUTE_REPLY, content));
    }

    @Override
    protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> message) {
        env.setBusyDeferIdle();
        env.reply(new KernelInfoReplyOk(this));
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected void handleHistoryRequest(ShellReplyEnvironment env, Message<HistoryRequest> message) {
        env.setBusyDeferIdle();
        env.reply(new Message(env.getContext(), MessageType.HISTORY_REPLY,
                new HistoryReplyOk(history.answer(message.getContent()))));
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        SourceCodeAnalysis sca = jshell.sourceCodeAnalysis();
        List<SourceCodeAnalysis.Documentation> docs = sca.documentation(code, at, extraDetail);
        if (docs.isEmpty()) {
            // JShell documents what a call's "(" opens: with the cursor on a name (at its end or
            // inside it), ask as if a "(" followed the name
            int end = at;
            while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
                end++;
            }
            if (end > 0 && Character.isJavaIdentifierPart(code.charAt(end - 1))) {
                String call = code.substring(0, end) + "(";
                docs = sca.documentation(call, call.length(), extraDetail);
            }
        }
        if (docs.isEmpty()) {
            return null;
        }
        return new DisplayData(docs.stream().map(d -> d.signature() + (d.javadoc() == null ? "" : "\n" + d.javadoc()))
                .collect(Collectors.joining("\n\n")));
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<String> options = jshell.sourceCodeAnalysis().completionSuggestions(code, at, anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        return new ReplacementOptions(options, anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        if (code.stripLeading().startsWith("%")) {
            return IS_COMPLETE_YES; // line and cell magics are complete lines, not Java
        }
        SourceCodeAnalysis sca = jshell.sourceCodeAnalysis();
        SourceCodeAnalysis.CompletionInfo i = sca.analyzeCompletion(code);
        while (i.completeness().isComplete()) {
            i = sca.analyzeCompletion(i.remaining());
        }
        return switch (i.completeness()) {
            case EMPTY -> parses(code) ? IS_COMPLETE_YES : IS_COMPLETE_BAD;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            default -> IS_COMPLETE_BAD;
        };
    }

    /**
     * @return whether every snippet of complete source parses: JShell's completeness analysis
     *     calls {@code int x = 1 1;} or a lone {@code )} complete, its snippet parser marks them
     *     {@link Snippet.Kind#ERRONEOUS} (unknown names are not parse errors and stay valid)
     */
    private boolean parses(String code) {
        try {
            for (Snippet sn : jshell.sourceCodeAnalysis().sourceToSnippets(code)) {
                if (sn.kind() == Snippet.Kind.ERRONEOUS) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return true; // the analysis itself failed: let execution report the problem
        }
    }

    /**
     * Runs on the control channel: asks the cell to stop at its next interruption check (training
     * and evaluation check every batch); a cell still running after {@link #STOP_GRACE_MILLIS} is
     * stopped by force.
     */
    @Override
    public void interrupt() {
        long cell = runningCell;
        if (cell == 0) {
            return;
        }
        // set even between two snippets of the cell (or while one compiles): the next one is not run
        interrupted = true;
        Interruption.request();
        scheduler.schedule(() -> {
            if (runningCell == cell && CapturingExecutionControl.runningThread() != null) {
                LOG.warn("the cell did not stop within {} ms of the interrupt; stopping it by force", STOP_GRACE_MILLIS);
                jshell.stop();
            }
        }, STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onShutdown(boolean restarting) {
        if (runningCell != 0) { // a cell still runs: stop it, so that the kernel can exit now
            interrupted = true;
            Interruption.request();
            jshell.stop();
        }
        scheduler.shutdownNow();
        try {
            jshell.close();
        } catch (RuntimeException e) {
            LOG.warn("closing JShell: {}", e.toString());
        }
        super.onShutdown(restarting);
    }
}
