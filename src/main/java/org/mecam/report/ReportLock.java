package org.mecam.report;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one report at a time of a results root: an exclusive lock on {@code <root>/.report.lock}
 * (released by the operating system however the process ends), and a lock within this JVM, so
 * that two grids finishing on one root, a grid and {@code report}, or two threads write their
 * tables and figures one after the other instead of into each other's staging files. A file
 * system without locks (some network mounts) gives a lock that excludes only this JVM's threads.
 */
final class ReportLock implements AutoCloseable {

    private static final ReentrantLock LOCAL = new ReentrantLock();

    private final FileChannel channel;
    private final FileLock lock;

    private ReportLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @return the lock of {@code root}'s report, waiting while another process or thread holds it */
    static ReportLock acquire(Path root) throws IOException {
        LOCAL.lock();
        FileChannel channel;
        try {
            channel = FileChannel.open(root.resolve(".report.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            // a read-only or full root: the report's own writes will say so, naming their files
            return new ReportLock(null, null);
        }
        try {
            return new ReportLock(channel, channel.lock());
        } catch (IOException e) {
            return new ReportLock(channel, null); // "No locks available": this JVM's lock still orders its threads
        } catch (RuntimeException e) {
            channel.close();
            LOCAL.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } finally {
            LOCAL.unlock();
        }
    }
}
