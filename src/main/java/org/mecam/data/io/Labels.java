package org.mecam.data.io;

import java.util.List;
import org.mecam.data.DataFormatException;
import org.mecam.data.io.pickle.NpyArray;

/** Sentiment labels from a dataset pickle, checked. */
final class Labels {

    private Labels() {}

    /**
     * Reads labels stored as [N], [N, 1], [N, 1, 1], [N, K] or [N, 1, K] (MOSEI's 7 columns:
     * sentiment first), taking the first column.
     *
     * @throws DataFormatException for non-finite labels or an empty split; labels outside [-3, 3]
     *     are only noted
     */
    static float[] regression(PickleData.Split0 s, String key, List<String> notes) {
        NpyArray a = s.array(key, "[N] sentiment scores ([N, 1, 1] or [N, 1, 7] with sentiment first)", 1, 2, 3);
        long n = a.shape()[0];
        if (n == 0) {
            throw new DataFormatException(s.where(key) + ": the split is empty (shape " + java.util.Arrays.toString(a.shape()) + ")");
        }
        float[] all = a.toFloatArray();
        int width = (int) (a.size() / n);
        float[] out = new float[(int) n];
        int outside = 0;
        for (int i = 0; i < n; i++) {
            float y = all[i * width];
            if (!Float.isFinite(y)) {
                throw new DataFormatException(s.where(key) + ": label of sample " + i + " is " + y + " (shape "
                        + java.util.Arrays.toString(a.shape()) + ")");
            }
            outside += y < -3 || y > 3 ? 1 : 0;
            out[i] = y;
        }
        if (outside > 0) {
            notes.add(s.name + ": " + outside + " labels outside [-3, 3] (kept; metrics clip them)");
        }
        return out;
    }
}
