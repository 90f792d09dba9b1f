package org.mecam.experiment.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mecam.config.ConfigException;

/** The Slurm resource options in the forms sbatch accepts; anything else is one line naming the option. */
class SlurmOptionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "90", "600000", "5:00", "90:30", "0:59", "1:00:00", "48:00:00", "02:30:59",
        "0-02", "7-0", "1-23", "2-12:30", "0-02:00:00", "3-23:59:59", "UNLIMITED", "unlimited", "INFINITE", "Infinite"})
    void acceptsSlurmTimeLimits(String time) {
        assertEquals(time, SlurmOptions.time(time));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", " ", "1h", "2 hours", "-5", "1.5", "1:2:3:4", "1-2-3", "1-", "-1-00", ":30",
        "1:", "1::00", "1:5:", "01:00:00 ", " 01:00:00", "1:123", "1-2:3:4:5", "1234567890", "1-00\n#SBATCH --x", "never"})
    void rejectsMalformedTimes(String time) {
        ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.time(time));
        assertOneLine(e, "--time");
        assertTrue(e.getMessage().contains("is not a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or"
                + " D-HH:MM:SS"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1:60", "5:75", "1:60:00", "1:00:60", "10:99:99", "1-24", "2-25:00", "0-23:60", "0-00:00:60",
        "1-99:00:00"})
    void rejectsFieldsOutOfRange(String time) {
        ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.time(time));
        assertOneLine(e, "--time");
        assertTrue(e.getMessage().matches(".*must be 0-(59|23).*"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "4000", "4G", "4g", "512M", "512m", "1T", "100k", "64K", "16384"})
    void acceptsMemorySizes(String mem) {
        assertEquals(mem, SlurmOptions.mem(mem));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "", "0", "0G", "00M", "-4G", "4GB", "4 G", "4.5G", "G", "4P", "4X", "1e3",
        "4G\n#SBATCH --x"})
    void rejectsBadMemorySizes(String mem) {
        ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.mem(mem));
        assertOneLine(e, "--mem");
        assertTrue(e.getMessage().contains("K, M, G or T") && e.getMessage().contains("MB"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu_a100", "debug-short", "part.1", "A", "cpu,gpu", "cpu,gpu-long,x.y"})
    void acceptsPartitionNames(String partition) {
        assertEquals(partition, SlurmOptions.partition(partition));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cpu gpu", "cpu,", ",cpu", "cpu,,gpu", "gpu/long", "a;b", "$(rm)", "cpu\n#SBATCH --x",
        "grün"})
    void rejectsBadPartitionNames(String partition) {
        ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.partition(partition));
        assertOneLine(e, "--partition");
        assertTrue(e.getMessage().contains("letters, digits"), e.getMessage());
    }

    @Test
    void countsAreZeroForUnsetOrPositive() {
        assertEquals(0, SlurmOptions.count("--cpus-per-task", 0));
        assertEquals(1, SlurmOptions.count("--cpus-per-task", 1));
        assertEquals(8, SlurmOptions.count("--gpus-per-task", 8));
        for (int bad : new int[] {-1, -8, Integer.MIN_VALUE}) {
            ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.count("--gpus-per-task", bad));
            assertOneLine(e, "--gpus-per-task");
            assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
        }
    }

    @Test
    void sbatchOptionsAreOneOptionOnOneLine() {
        assertEquals("--account=lab", SlurmOptions.sbatchOption("--account=lab"));
        assertEquals("-A lab", SlurmOptions.sbatchOption("-A lab"));
        for (String bad : new String[] {"", " ", "account=lab", "--account=lab\nrm -rf /", "--qos=x\r"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> SlurmOptions.sbatchOption(bad));
            assertOneLine(e, "--sbatch-option");
        }
    }

    /** The record checks every value when it is made, so that nothing is written for a bad one. */
    @Test
    void resourcesCheckEveryValue() {
        SlurmGrid.Resources ok = new SlurmGrid.Resources("cpu,gpu", "0-02:00:00", 2, "8G", 0, List.of("--account=lab"));
        assertEquals(List.of("--partition=cpu,gpu", "--time=0-02:00:00", "--cpus-per-task=2", "--mem=8G",
                "--account=lab"), ok.directives());
        SlurmGrid.Resources none = new SlurmGrid.Resources(null, null, 0, null, 0, null);
        assertEquals(List.of(), none.directives());
        assertOneLine(assertThrows(ConfigException.class,
                () -> new SlurmGrid.Resources(null, "abc", 0, null, 0, List.of())), "--time");
        assertOneLine(assertThrows(ConfigException.class,
                () -> new SlurmGrid.Resources(null, null, 0, "lots", 0, List.of())), "--mem");
        assertOneLine(assertThrows(ConfigException.class,
                () -> new SlurmGrid.Resources("a b", null, 0, null, 0, List.of())), "--partition");
        assertOneLine(assertThrows(ConfigException.class,
                () -> new SlurmGrid.Resources(null, null, -2, null, 0, List.of())), "--cpus-per-task");
        assertOneLine(assertThrows(ConfigException.class,
                () -> new SlurmGrid.Resources(null, null, 0, null, -1, List.of())), "--gpus-per-task");
        assertOneLine(assertThrows(ConfigException.class,
                () -> new SlurmGrid.Resources(null, null, 0, null, 0, List.of("x"))), "--sbatch-option");
    }

    private static void assertOneLine(ConfigException e, String option) {
        assertTrue(e.getMessage().startsWith(option + ": "), "names " + option + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), "one line: " + e.getMessage());
    }
}
