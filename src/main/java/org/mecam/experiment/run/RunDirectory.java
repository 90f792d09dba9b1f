package org.mecam.experiment.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A run's output directory, written in a hidden staging directory under the results root and
 * renamed into place in one atomic step, so that a run directory exists only when complete.
 */
public final class RunDirectory {

    /** Staging area under the results root; leftovers of killed runs can be deleted at any time. */
    public static final String STAGING = ".incomplete";
    /** Marker of a complete run kept in staging because it could not be renamed into place. */
    static final String KEPT = "KEPT-not-moved.txt";

    private final Path root;
    private final String id;
    private final Path staging;
    /** Whether this run created the results root (removed again, if left empty, when the run is abandoned). */
    private final boolean createdRoot;

    private RunDirectory(Path root, String id) throws IOException {
        this.root = root;
        this.id = id;
        this.createdRoot = !Files.exists(root);
        removeDeadStaging(root.resolve(STAGING));
        this.staging = root.resolve(STAGING).resolve(id + OWNER + UUID.randomUUID().toString().substring(0, 8));
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(staging);
                OPEN.add(staging);
                return;
            } catch (java.nio.file.NoSuchFileException e) {
                if (attempt == 3) { // the staging area was removed meanwhile by another run's tidy-up
                    throw e;
                }
            }
        }
    }

    /** Staging directories of this process not yet committed, kept or abandoned. */
    private static final java.util.Set<Path> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        // SIGINT / SIGTERM (a grid stopping its workers, say): what was being written goes at once
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(RunDirectory::deleteRecursively),
                "remove-unfinished-runs"));
    }

    /** "@host-pid-": who writes a staging directory, so that a later run can tell a dead writer's leftovers. */
    private static final String OWNER = "@" + host() + "-" + ProcessHandle.current().pid() + "-";

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Deletes the staging directories that processes of this host left when they were killed
     * (SIGKILL, a crash): those whose writer's pid is no longer alive. Directories of other hosts
     * (a results root shared by cluster nodes) and of live processes are left alone.
     */
    static void removeDeadStaging(Path staging) {
        if (!Files.isDirectory(staging)) {
            return;
        }
        String mine = "@" + host() + "-";
        try (Stream<Path> dirs = Files.list(staging)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (Files.exists(d.resolve(KEPT))) {
                    continue;
                }
                int at = name.lastIndexOf(mine);
                if (at < 0) {
                    continue;
                }
                String rest = name.substring(at + mine.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        continue;
                    }
                } catch (NumberFormatException e) {
                    continue;
                }
                deleteRecursively(d);
            }
        } catch (IOException e) {
            // another process tidied it meanwhile
        }
    }

    /** Removes the staging area once it is empty (another process may still be using it). */
    private void tidy() {
        try {
            Files.deleteIfExists(staging.getParent());
        } catch (IOException e) {
            // not empty: another run is being written, or a killed run left its files
        }
    }

    /** Starts a run directory {@code root/id} (written when {@link #commit()} is called). */
    public static RunDirectory start(Path root, String id) throws IOException {
        return new RunDirectory(root, id);
    }

    /** @return the path of a file inside the staging directory */
    public Path file(String name) {
        return staging.resolve(name);
    }

    /** Writes a UTF-8 text file into the run. */
    public void write(String name, String text) {
        try {
            Files.createDirectories(file(name).getParent());
            Files.writeString(file(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(name), e);
        }
    }

    /**
     * Moves the staging directory to {@code root/id} atomically (adding -2, -3, ... if taken).
     *
     * @return the final directory
     */
    public Path commit() throws IOException {
        for (int k = 1; ; k++) {
            Path target = root.resolve(k == 1 ? id : id + "-" + k);
            if (Files.exists(target)) {
                continue;
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                OPEN.remove(staging);
                tidy();
                return target;
            } catch (FileAlreadyExistsException e) {
                // taken meanwhile by another process: try the next name
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("results root " + root + " does not support atomic renames", e);
            }
        }
    }

    /**
     * Moves the staging directory to exactly {@code target} atomically (for grid runs). If another
     * process finished the same run first, its directory is kept and this one discarded.
     */
    public Path commitTo(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            OPEN.remove(staging);
        } catch (java.nio.file.FileSystemException e) {
            // Linux reports a rename onto a non-empty directory as a plain FileSystemException
            // ("Directory not empty"), not as FileAlreadyExists/DirectoryNotEmpty
            if (!Files.isDirectory(target)) {
                throw e;
            }
            abandon();
            return target;
        }
        tidy();
        return target;
    }

    /**
     * Marks the staging directory as a complete run that could not be moved into place (a rename
     * the file system refused), so that no later run removes it as a dead process's leftover.
     *
     * @return the staging directory, which holds the whole run
     */
    public Path keep() {
        OPEN.remove(staging);
        try {
            Files.writeString(staging.resolve(KEPT), "a finished run that could not be moved to " + root.resolve(id)
                    + "; move it by hand (without this file)\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            // a full disk: the name alone must do (removeDeadStaging keeps what it cannot read either)
        }
        return staging;
    }

    /** Deletes the staging directory (after a failure that must leave nothing behind). */
    public void abandon() {
        OPEN.remove(staging);
        deleteRecursively(staging);
        tidy();
        if (createdRoot) {
            try {
                Files.deleteIfExists(root); // bad input leaves no empty results root behind
            } catch (IOException e) {
                // not empty: another run uses it
            }
        }
    }

    /** Deletes a directory tree, ignoring what cannot be deleted. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
