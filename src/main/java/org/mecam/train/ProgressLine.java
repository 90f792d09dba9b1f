package org.mecam.train;

import java.util.Locale;
import org.mecam.objective.LossTerm;
import org.mecam.objective.Objective;
import org.mecam.objective.Stage;

/**
 * The one-line summary of an epoch that the command line and the notebooks print: each stage-1
 * term of the objective by its symbol, the validation MAE (starred when the epoch was
 * selected) and the epoch's seconds, e.g. {@code epoch   3  task 0.8123  nce 1.2345  lld -  H -
 * valid MAE 0.7901 *  3.8s}.
 */
public final class ProgressLine {

    private ProgressLine() {}

    /** @return the summary line of {@code s} (no newline) */
    public static String of(Objective objective, EpochStats s) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %3d", s.epoch()));
        for (LossTerm t : objective.terms(Stage.MAIN)) {
            line.append("  ").append(t.symbol()).append(' ').append(fmt(s.term(t.name())));
        }
        line.append(String.format(Locale.ROOT, "  valid MAE %.4f%s  %.1fs", s.validMae(), s.improved() ? " *" : "  ",
                s.seconds()));
        return line.toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
