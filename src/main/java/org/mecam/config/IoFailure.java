package org.mecam.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;

/**
 * Input/output failures (a full disk, a read-only folder, a rename the file system refuses):
 * finding one in a chain of causes, and saying it in one line. The command line exits with code
 * 4 on them, and a grid stops at the first one instead of running on into the same wall.
 */
public final class IoFailure {

    private IoFailure() {}

    /** @return the first {@link IOException} in {@code e}'s chain of causes, or null */
    public static IOException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** @return whether {@code e} is, or was caused by, an I/O failure */
    public static boolean is(Throwable e) {
        return find(e) != null;
    }

    /**
     * @return the chain's messages from {@code e} down to the operating system's reason, each
     *     said once, on one line: "cannot write x/metrics.json: x/metrics.json: No space left on device"
     *     becomes "cannot write x/metrics.json: No space left on device"
     */
    public static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = message(t);
            if (m == null || m.isBlank()) {
                continue;
            }
            if (!parts.isEmpty() && parts.get(parts.size() - 1).contains(m)) {
                continue;
            }
            // a wrapper that repeats its cause ("java.io.IOException: x") adds nothing
            if (!parts.isEmpty() && m.contains(parts.get(parts.size() - 1))) {
                parts.set(parts.size() - 1, m);
                continue;
            }
            parts.add(m);
        }
        String line = parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
        return line.replaceAll("\\s*\\R\\s*", " ");
    }

    private static String message(Throwable t) {
        if (t instanceof FileSystemException fs) {
            String reason = fs.getReason() == null ? t.getClass().getSimpleName() : fs.getReason();
            String file = fs.getFile();
            if (fs.getOtherFile() != null) {
                file = (file == null ? "" : file + " -> ") + fs.getOtherFile();
            }
            return file == null ? reason : file + ": " + reason;
        }
        String m = t.getMessage();
        if (t instanceof UncheckedIOException && t.getCause() != null && m != null && m.equals(t.getCause().toString())) {
            return null; // new UncheckedIOException(cause): the cause says it
        }
        if (m != null && t.getCause() != null && m.equals(t.getCause().toString())) {
            return null;
        }
        if (m == null && t instanceof IOException) {
            return t.getClass().getSimpleName();
        }
        return m;
    }

    /** @return an unchecked I/O failure whose message is {@code context} followed by the reason */
    public static UncheckedIOException wrap(String context, Throwable e) {
        IOException io = find(e);
        String reason = describe(e);
        IOException cause = new IOException(context + ": " + reason, io == null ? e : io);
        return new UncheckedIOException(cause.getMessage(), cause);
    }
}
