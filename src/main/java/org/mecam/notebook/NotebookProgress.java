package org.mecam.notebook;

import java.util.Locale;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.mecam.objective.Objective;
import org.mecam.train.EpochStats;
import org.mecam.train.ProgressLine;
import org.mecam.train.TrainingProgress;

/**
 * Training progress in a notebook cell: one line that updates in place (epoch, batch, loss, best
 * validation MAE so far) and, optionally, one printed line per finished epoch, which stays in the
 * saved notebook. Without a kernel that can update displays, only the epoch lines are printed.
 */
final class NotebookProgress implements TrainingProgress {

    private static final long UPDATE_MILLIS = 300;
    private static final int BAR = 24;

    private final boolean printEpochs;
    private String displayId;
    private long lastUpdate;
    private int epoch;
    private int epochs;
    private int batches;
    private int done;
    private double loss = Double.NaN;
    private double bestValid = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private Objective objective = Objective.standard();

    NotebookProgress(boolean printEpochs) {
        this.printEpochs = printEpochs;
    }

    @Override
    public void onEpochStart(int epoch, int epochs, int batches) {
        if (epoch == 1) {
            bestValid = Double.POSITIVE_INFINITY;
            bestEpoch = 0;
        }
        this.epoch = epoch;
        this.epochs = epochs;
        this.batches = batches;
        this.done = 0;
        update(true);
    }

    @Override
    public void onTrainingStart(Objective objective) {
        this.objective = objective;
    }

    @Override
    public void onBatch(int epoch, int stage, int batch, double loss) {
        done++;
        this.loss = loss;
        update(false);
    }

    @Override
    public void onEpochEnd(EpochStats s) {
        if (s.validMae() < bestValid) {
            bestValid = s.validMae();
            bestEpoch = s.epoch();
        }
        done = batches;
        update(true);
        if (printEpochs || !Notebook.live()) {
            System.out.println(ProgressLine.of(objective, s));
        }
    }

    @Override
    public void onWarning(String message) {
        System.out.println("warning: " + message);
    }

    private void update(boolean force) {
        if (!Notebook.live()) {
            return;
        }
        long now = System.currentTimeMillis();
        if (!force && now - lastUpdate < UPDATE_MILLIS) {
            return;
        }
        lastUpdate = now;
        int filled = batches == 0 ? 0 : (int) Math.round((double) BAR * done / batches);
        String best = bestEpoch == 0 ? "" : String.format(Locale.ROOT, "  best valid MAE %.4f (epoch %d)", bestValid,
                bestEpoch);
        String text = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d batches  loss %s%s", epoch, epochs,
                "#".repeat(filled), "-".repeat(BAR - filled), done, batches, fmt(loss), best);
        DisplayData d = new DisplayData(text);
        d.putHTML(String.format(Locale.ROOT, "<div style=\"font-family: monospace\">epoch %d/%d "
                + "<progress value=\"%d\" max=\"%d\" style=\"width: 16em\"></progress> %d/%d batches, loss %s%s</div>",
                epoch, epochs, done, Math.max(batches, 1), done, batches, fmt(loss), Renderers.escape(best)));
        if (displayId == null) {
            displayId = Notebook.display(d);
        } else {
            Notebook.updateDisplay(displayId, d);
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
