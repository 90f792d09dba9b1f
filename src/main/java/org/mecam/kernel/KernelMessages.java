package org.mecam.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;

/** The messages and streams of the kernel's protocol that the base library lacks or keeps closed. */
final class KernelMessages {

    private KernelMessages() {}

    /** The base library's IO with its environment hooks opened to this kernel. */
    static final class KernelIO extends JupyterIO {

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
    static final class Coalescing extends OutputStream {

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

}
