package org.mecam.model;

import java.util.ArrayList;
import java.util.List;
import org.mecam.config.Modality;
import org.mecam.config.ModelSettings;

/**
 * A pair of modalities on which MMILB estimates mutual information: y is predicted from x.
 *
 * @param x the conditioning modality
 * @param y the predicted modality
 */
public record ModalityPair(Modality x, Modality y) {

    /** The pairs of the published code, in its order: text-vision, text-audio, vision-audio. */
    private static final List<ModalityPair> ALL = List.of(new ModalityPair(Modality.TEXT, Modality.VISION),
            new ModalityPair(Modality.TEXT, Modality.AUDIO), new ModalityPair(Modality.VISION, Modality.AUDIO));

    /** @return the pairs among the modalities in use, in the published order */
    public static List<ModalityPair> of(ModelSettings c) {
        List<ModalityPair> out = new ArrayList<>();
        for (ModalityPair p : ALL) {
            if (c.uses(p.x) && c.uses(p.y)) {
                out.add(p);
            }
        }
        return out;
    }

    /** @return the pair's name, e.g. {@code tv} (checkpoint names use it) */
    public String key() {
        return "" + x.code() + y.code();
    }

    @Override
    public String toString() {
        return key();
    }
}
