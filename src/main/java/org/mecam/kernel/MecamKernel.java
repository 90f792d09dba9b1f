package org.mecam.kernel;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
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
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.publish.PublishError;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteInput;
import org.dflib.jjava.jupyter.messages.publish.PublishExecuteResult;
import org.dflib.jjava.jupyter.messages.reply.ErrorReply;
import org.dflib.jjava.jupyter.messages.reply.ExecuteReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;
import org.mecam.engine.Interruption;
import org.mecam.notebook.Renderers;
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
    private final KernelMessages.KernelIO kernelIo;
    private final KernelClasspath classpath;
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

    private final CellHistory history = new CellHistory();
    private final CellEvaluator cells;

    MecamKernel() {
        this(new KernelMessages.KernelIO());
    }

    private MecamKernel(KernelMessages.KernelIO io) {
        super(NAME, version(), new LanguageInfo.Builder("java").version(Runtime.version().toString())
                        .mimetype("text/x-java-source").fileExtension(".jshell").pygments("java").codemirror("java")
                        .build(),
                List.of(), null, io, new CommManager(), new Renderer(),
                new MagicParser("(?<=(?:^|=))\\s*%", "%%", new MagicTranspiler()), new MagicsRegistry(), false,
                new StringStyler.Builder().build());
        this.kernelIo = io;
        Renderers.registerAll(renderer);
        jshell = JShell.builder().executionEngine(new CapturingExecutionControl.Provider(), Map.of()).build();
        cells = new CellEvaluator(jshell, () -> interrupted);
        classpath = new KernelClasspath(jshell);
        classpath.add(KernelClasspath.runtimeClasspath());
        for (String imp : DEFAULT_IMPORTS) {
            List<SnippetEvent> events = jshell.eval("import " + imp + ";");
            if (events.stream().anyMatch(e -> e.status() == Snippet.Status.REJECTED)) {
                throw new IllegalStateException("the kernel cannot import " + imp + " (is the kit on the classpath?)");
            }
        }
        magicsRegistry.registerLineMagic("classpath", (kernel, args) -> {
            classpath.addPaths("%classpath", args, true);
            return null;
        });
        magicsRegistry.registerLineMagic("jars", (kernel, args) -> {
            classpath.addPaths("%jars", args, false);
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

    // ---- evaluation

    @Override
    public Object evalRaw(String code) {
        return cells.eval(magicParser.resolveMagics(inlineLoads(code)));
    }

    /**
     * IJava's {@code %load FILE}: the file's Java code in place of the line (relative paths from
     * the kernel's working directory, the notebook's folder), so that notebooks share one setup.
     */
    public static String inlineLoads(String code) {
        return CellEvaluator.inlineLoads(code);
    }

    // ---- protocol

    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> message) {
        commManager.setMessageContext(message);
        ExecuteRequest request = message.getContent();
        Instant abort = abortBefore;
        if (abort != null && sentBefore(message, abort)) {
            env.setBusyDeferIdle();
            replyRaw(env, new KernelMessages.AbortedReply(executionCount.get()));
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
        PrintStream cellOut = new PrintStream(new KernelMessages.Coalescing(kernelIo.out), false, StandardCharsets.UTF_8);
        PrintStream cellErr = new PrintStream(new KernelMessages.Coalescing(kernelIo.err), false, StandardCharsets.UTF_8);
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
            KernelError e = KernelError.of(t);
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
        env.reply(new KernelMessages.KernelInfoReplyOk(this));
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected void handleHistoryRequest(ShellReplyEnvironment env, Message<HistoryRequest> message) {
        env.setBusyDeferIdle();
        env.reply(new Message(env.getContext(), MessageType.HISTORY_REPLY,
                new KernelMessages.HistoryReplyOk(history.answer(message.getContent()))));
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return CodeAnalysis.inspect(jshell, code, at, extraDetail);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        return CodeAnalysis.complete(jshell, code, at);
    }

    @Override
    public String isComplete(String code) {
        return CodeAnalysis.isComplete(jshell, code);
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
