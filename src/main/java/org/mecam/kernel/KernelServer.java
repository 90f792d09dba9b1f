package org.mecam.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.Loop;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.mecam.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the kit's kernel on one Jupyter connection, for as long as its client lives. */
public final class KernelServer {

    private static final Logger LOG = LoggerFactory.getLogger(KernelServer.class);

    private KernelServer() {}

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
}
