package org.mecam.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.mecam.objective.Objective;
import org.mecam.train.EpochStats;
import org.mecam.train.ProgressLine;
import org.mecam.train.TrainingProgress;

/**
 * Shows a progress bar per epoch when attached to a terminal, and one summary line per epoch on
 * standard error in every case.
 */
final class ProgressListener implements TrainingProgress {

    private final PrintStream err;
    private final boolean bars;
    private ProgressBar bar;
    private Objective objective = Objective.standard();

    ProgressListener(PrintStream err, boolean bars) {
        this.err = err;
        this.bars = bars;
    }

    /** @return a listener with bars when the process has a terminal */
    static ProgressListener forConsole(boolean quiet) {
        return new ProgressListener(System.err, !quiet && System.console() != null);
    }

    @Override
    public void onTrainingStart(Objective objective) {
        this.objective = objective;
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        if (bars) {
            bar = new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch, epochs))
                    .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(err)).build();
        }
    }

    @Override
    public void onBatch(int epoch, int stage, int batch, double loss) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(" stage %d loss %.4f", stage, loss));
        }
    }

    @Override
    public void onEpochEnd(EpochStats s) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        err.println(ProgressLine.of(objective, s));
    }

    @Override
    public void onWarning(String message) {
        err.println("warning: " + message);
    }

}
