package org.mecam.model;

import ai.djl.nn.Block;
import org.mecam.config.Modality;
import org.mecam.config.ModelSettings;

/**
 * What a fusion variant builds on: the run's settings, the text encoder's width (BERT's hidden
 * size, or {@code textDim}), and a way to add its blocks to the model under a name.
 */
public record FusionContext(ModelSettings config, int textDim, Blocks blocks) {

    /** Adds a named child block to the model. */
    @FunctionalInterface
    public interface Blocks {
        <B extends Block> B add(String name, B block);
    }

    /** @return the width of modality {@code m}'s utterance vector */
    public int width(Modality m) {
        return m == Modality.TEXT ? textDim : m == Modality.AUDIO ? config.audioOut() : config.visionOut();
    }

    /** @return the summed widths of the modalities in use (the concatenation's width) */
    public int concatWidth() {
        int w = 0;
        for (Modality m : config.modalityList()) {
            w += width(m);
        }
        return w;
    }
}
