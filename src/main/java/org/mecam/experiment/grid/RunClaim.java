package org.mecam.experiment.grid;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One grid run claimed by this process while it runs it: an exclusive lock on the hidden file
 * {@code .seed-N.claim} next to the run's directory, which the operating system releases however
 * the process ends (SIGKILL included). A second grid process on the same results root (a grid
 * resumed while workers of the first were still alive, say) waits for a claimed run (or leaves it
 * to its holder) instead of running the same configuration at the same time.
 */
final class RunClaim implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private RunClaim(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @return the claim, or null if another live process (or thread) holds it; a file system
     *     without locks (some network mounts) gives a claim that excludes nothing
     */
    static RunClaim tryClaim(Path runDir) throws IOException {
        Path file = runDir.resolveSibling("." + runDir.getFileName() + ".claim");
        Files.createDirectories(file.getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            // "No locks available": nothing to exclude with, as before claims existed
            return new RunClaim(channel, null);
        }
        if (lock == null) {
            channel.close();
            return null;
        }
        return new RunClaim(channel, lock);
    }

    /** Milliseconds between attempts to claim a run that another process holds. */
    static final long POLL_MILLIS = 500;

    /**
     * @param waiting called once when another live process holds the claim and this one waits
     * @return the run's claim, once no other live process holds it (a run that process finished
     *     has its directory by then)
     * @throws org.mecam.engine.Interruption.InterruptedRunException when interrupted while waiting
     */
    static RunClaim await(Path runDir, Runnable waiting) throws IOException {
        RunClaim claim = tryClaim(runDir);
        if (claim != null) {
            return claim;
        }
        waiting.run();
        while (claim == null) {
            org.mecam.engine.Interruption.check();
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.mecam.engine.Interruption.InterruptedRunException();
            }
            claim = tryClaim(runDir);
        }
        return claim;
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
