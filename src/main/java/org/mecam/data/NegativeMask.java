package org.mecam.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The oracle of negative information ({@code --mask-negative}): every sample whose recorded
 * negative information hits a modality gets that modality zeroed (its frames, or its token
 * features, and its token ids other than the first and last replaced by the unknown-token id), in
 * every split. A model trained and tested so never sees the negative information, and loses only
 * what the hit modality carried besides it: the upper bound a filter of negative information can
 * reach (docs/METHOD.md, "Bounds").
 */
public final class NegativeMask {

    private NegativeMask() {}

    /**
     * @return the dataset with each sample's negatively hit modality zeroed, and a note saying how many
     * @throws org.mecam.config.ConfigException when the dataset records no negative information
     */
    public static MultimodalDataset apply(MultimodalDataset data) {
        List<String> notes = new ArrayList<>(data.notes());
        Split[] masked = new Split[3];
        int i = 0;
        for (Split s : data.splits()) {
            if (!s.hasNegativeFlags()) {
                throw new org.mecam.config.ConfigException("maskNegative: " + data.info().source() + ", split '" + s.name
                        + "', records no negative information per sample (only the synthetic generator does)");
            }
            masked[i++] = mask(s, data.info().unknownTokenId());
            notes.add("the oracle masked " + count(s) + " of " + s.size() + " " + s.name + " samples' negatively hit modality");
        }
        return new MultimodalDataset(data.info(), masked[0], masked[1], masked[2], notes);
    }

    private static int count(Split s) {
        int n = 0;
        for (byte m : s.negativeModality) {
            n += m == NegativeInfo.MOD_NONE ? 0 : 1;
        }
        return n;
    }

    /** @return a copy of the split with each sample's negatively hit modality zeroed */
    static Split mask(Split s, int unkId) {
        int[] all = new int[s.size()];
        for (int k = 0; k < all.length; k++) {
            all[k] = k;
        }
        FloatTensor3 text = s.textFeatures == null ? null : s.textFeatures.select(all);
        FloatTensor3 audio = s.audio.select(all);
        FloatTensor3 vision = s.vision.select(all);
        int[] ids = s.textIds == null ? null : s.textIds.clone();
        for (int k = 0; k < s.size(); k++) {
            switch (s.negativeModality[k]) {
                case NegativeInfo.MOD_TEXT:
                    if (text != null) {
                        zero(text, k);
                    }
                    if (ids != null) {
                        int len = s.textLengths[k];
                        for (int t = 1; t < len - 1; t++) {
                            ids[k * s.textLen + t] = unkId;
                        }
                    }
                    break;
                case NegativeInfo.MOD_AUDIO:
                    zero(audio, k);
                    break;
                case NegativeInfo.MOD_VISION:
                    zero(vision, k);
                    break;
                default:
                    break;
            }
        }
        return Split.builder(s.name).textFeatures(text, s.textStart).textIds(ids, s.textLen).textLengths(s.textLengths)
                .audio(audio, s.audioLengths, s.audioStart).vision(vision, s.visionLengths, s.visionStart)
                .labels(s.labels).ids(s.ids).rawText(s.rawText).negative(s.negative, s.negativeModality)
                .latent(s.latent).build();
    }

    private static void zero(FloatTensor3 frames, int i) {
        java.util.Arrays.fill(frames.chunkOf(i), frames.offsetOf(i), frames.offsetOf(i) + frames.length() * frames.dim(), 0f);
    }
}
