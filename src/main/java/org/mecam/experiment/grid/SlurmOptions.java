package org.mecam.experiment.grid;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mecam.config.ConfigException;

/**
 * Checks the Slurm resource options of {@code ablate} and {@code robustness --launcher slurm}
 * before anything is written or submitted, in the forms sbatch accepts. Each check returns the
 * value unchanged or throws {@link ConfigException} (exit 2) whose one-line message names the
 * option, the value and the accepted form.
 */
public final class SlurmOptions {

    /** The forms of {@code --time}, as the error messages list them. */
    public static final String TIME_FORMS = "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS";

    /** The form of {@code --mem}. */
    public static final String MEM_FORM = "a whole number >= 1 with an optional unit K, M, G or T; no unit means MB";

    /** The form of {@code --partition}. */
    public static final String PARTITION_FORM = "letters, digits, '_', '-' and '.', or a comma-separated list of such names";

    private static final String N = "(\\d{1,9})";
    private static final String F = "(\\d{1,2})";
    private static final Pattern MINUTES = Pattern.compile(N);
    private static final Pattern MIN_SEC = Pattern.compile(N + ":" + F);
    private static final Pattern HOUR_MIN_SEC = Pattern.compile(N + ":" + F + ":" + F);
    private static final Pattern DAY_HOUR = Pattern.compile(N + "-" + F);
    private static final Pattern DAY_HOUR_MIN = Pattern.compile(N + "-" + F + ":" + F);
    private static final Pattern DAY_HOUR_MIN_SEC = Pattern.compile(N + "-" + F + ":" + F + ":" + F);
    private static final Pattern MEM = Pattern.compile("(\\d{1,12})([KMGTkmgt]?)");
    private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*");

    private SlurmOptions() {}

    /**
     * A time limit in one of Slurm's forms ({@link #TIME_FORMS}, or {@code UNLIMITED} /
     * {@code INFINITE} in any case). The first field is unbounded; hours after days are 0-23,
     * minutes and seconds after the first field 0-59.
     *
     * @return {@code value}, or null when null
     */
    public static String time(String value) {
        if (value == null) {
            return null;
        }
        if (value.equalsIgnoreCase("UNLIMITED") || value.equalsIgnoreCase("INFINITE")) {
            return value;
        }
        Matcher m;
        if (MINUTES.matcher(value).matches()) {
            return value;
        } else if ((m = MIN_SEC.matcher(value)).matches()) {
            field(value, "seconds", m.group(2), 59);
        } else if ((m = HOUR_MIN_SEC.matcher(value)).matches()) {
            field(value, "minutes", m.group(2), 59);
            field(value, "seconds", m.group(3), 59);
        } else if ((m = DAY_HOUR.matcher(value)).matches()) {
            field(value, "hours", m.group(2), 23);
        } else if ((m = DAY_HOUR_MIN.matcher(value)).matches()) {
            field(value, "hours", m.group(2), 23);
            field(value, "minutes", m.group(3), 59);
        } else if ((m = DAY_HOUR_MIN_SEC.matcher(value)).matches()) {
            field(value, "hours", m.group(2), 23);
            field(value, "minutes", m.group(3), 59);
            field(value, "seconds", m.group(4), 59);
        } else {
            throw new ConfigException("--time: '" + printable(value) + "' is not a Slurm time limit (" + TIME_FORMS
                    + "; or UNLIMITED)");
        }
        return value;
    }

    private static void field(String value, String name, String digits, int max) {
        int v = Integer.parseInt(digits);
        if (v > max) {
            throw new ConfigException("--time: '" + value + "' has " + name + " " + v + "; " + name
                    + (name.equals("hours") ? " after the days" : " after the first field") + " must be 0-" + max + " ("
                    + TIME_FORMS + ")");
        }
    }

    /**
     * A memory size: {@link #MEM_FORM}.
     *
     * @return {@code value}, or null when null
     */
    public static String mem(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = MEM.matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) < 1) {
            throw new ConfigException("--mem: '" + printable(value) + "' is not a Slurm memory size (" + MEM_FORM
                    + ", e.g. 4G or 4000)");
        }
        return value;
    }

    /**
     * A partition name, or a comma-separated list of names: {@link #PARTITION_FORM}.
     *
     * @return {@code value}, or null when null
     */
    public static String partition(String value) {
        if (value == null) {
            return null;
        }
        if (!PARTITION.matcher(value).matches()) {
            throw new ConfigException("--partition: '" + printable(value) + "' is not a Slurm partition name ("
                    + PARTITION_FORM + ")");
        }
        return value;
    }

    /**
     * A per-task count such as {@code --cpus-per-task}: at least 1 when given; 0 means not given
     * (Slurm's default).
     *
     * @return {@code value}
     */
    public static int count(String option, int value) {
        if (value < 0) {
            throw new ConfigException(option + ": " + value + " is not a count (a whole number >= 1; 0 or leaving it"
                    + " out keeps Slurm's default)");
        }
        return value;
    }

    /**
     * One more sbatch option, written as one {@code #SBATCH} line: it must start with {@code -}
     * and hold no line break or other control character (which would end the directive and put
     * the rest into the batch script).
     *
     * @return {@code value}
     */
    public static String sbatchOption(String value) {
        boolean control = value != null && value.chars().anyMatch(Character::isISOControl);
        if (value == null || !value.startsWith("-") || control || value.isBlank()) {
            throw new ConfigException("--sbatch-option: '" + printable(String.valueOf(value)) + "' is not an sbatch"
                    + " option (one option starting with '-', on one line, e.g. --sbatch-option=--account=lab)");
        }
        return value;
    }

    /** The value with control characters shown as escapes, so that the message stays one line. */
    private static String printable(String value) {
        StringBuilder b = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
