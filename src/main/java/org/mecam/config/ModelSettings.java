package org.mecam.config;

/**
 * What the model is built from: the part of a {@link RunConfig} that {@code org.mecam.model}
 * reads (derived in one place, {@link RunConfig#model()}), so that the model depends on these
 * values only. Field meanings are those of {@link RunConfig}.
 */
public record ModelSettings(
        String modalities, TextMode textMode, TextEncoderKind textEncoder, int textDim, BertSize bertSize,
        String torchscript, String pretrained, boolean freezeText,
        int audioHidden, int visionHidden, int audioOut, int visionOut,
        double dropoutText, double dropoutAudio, double dropoutVision, double dropoutPrj, int projHidden,
        int contrastDim, double tau, double negWeight, double contrastScale, Positives positives, boolean excludeSelf,
        String fusion, int heads, int headDim, boolean talkingHeads, boolean bidirectional, double attnDropout,
        double alpha, double beta) {

    /** @return whether modality {@code m} is used */
    public boolean uses(Modality m) {
        return modalities.indexOf(m.code()) >= 0;
    }

    /** @return the modalities used, in the order of {@link #modalities()} */
    public java.util.List<Modality> modalityList() {
        return Modality.parse(modalities);
    }

    /** @return the fusion variant named by {@link #fusion()} */
    public FusionKind fusionKind() {
        return FusionKind.of(fusion);
    }
}
