package org.mecam.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/** What this process holds in memory, as the operating system counts it. */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** @return the resident set size of this process in MiB, or -1 where /proc is missing */
    public static double rssMb() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
