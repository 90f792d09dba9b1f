package org.mecam.config;

/** Choices for {@code textMode}. */
public enum TextMode implements Choice {
    /** precomputed token features (768-d BERT or 300-d GloVe) through a projection and a small encoder. */
    FEATURES,
    /** BERT over token ids (random init offline, configurable size). */
    BERT,
    /** a user-supplied TorchScript text encoder, fine-tuned. */
    TORCHSCRIPT;

    @Override
    public String toString() {
        return key();
    }
}
