package org.mecam.data;

import java.util.Arrays;

/**
 * One split (train, valid or test). Each sequence has a valid length and the frame where its
 * valid part starts: 0 for right-padded data; front-padded files (MulT) keep their layout and
 * record the start instead of being copied. Text is present as token features, token ids
 * (right-padded, [CLS] first), or both; the synthetic generator also records each sample's
 * latent sentiment and negative information. Build one with {@link #builder(String)}.
 */
public final class Split {

    /** "train", "valid" or "test". */
    public final String name;
    /** Token features [N, Lt, Dt], or null. */
    public final FrameStore textFeatures;
    /** Token ids [N * Lt] row-major, right-padded, or null. */
    public final int[] textIds;
    /** Valid tokens per sample (1..Lt). */
    public final int[] textLengths;
    /** First valid token of each sample in {@link #textFeatures}. */
    public final int[] textStart;
    /** Padded token length Lt. */
    public final int textLen;
    /** Audio [N, La, Da]. */
    public final FrameStore audio;
    /** Valid audio frames per sample (1..La). */
    public final int[] audioLengths;
    /** First valid audio frame of each sample. */
    public final int[] audioStart;
    /** Vision [N, Lv, Dv]. */
    public final FrameStore vision;
    /** Valid vision frames per sample (1..Lv). */
    public final int[] visionLengths;
    /** First valid vision frame of each sample. */
    public final int[] visionStart;
    /** Sentiment labels in [-3, 3]. */
    public final float[] labels;
    /** Sample ids ({@code video$_$clip} for MMSA). */
    public final String[] ids;
    /** Raw text, or null. */
    public final String[] rawText;
    /** Synthetic only (else null): the negative information of each sample. */
    public final NegativeInfo[] negative;
    /** Synthetic only (else null): the modality the negative information hits. */
    public final byte[] negativeModality;
    /** Synthetic only (else null): the latent sentiment the labels were drawn from. */
    public final float[] latent;

    private Split(Builder b) {
        int n = b.labels == null ? 0 : b.labels.length;
        name = b.name;
        textFeatures = b.textFeatures;
        textIds = b.textIds;
        textLengths = b.textLengths;
        textStart = b.textStart == null ? new int[n] : b.textStart;
        textLen = b.textLen;
        audio = b.audio;
        audioLengths = b.audioLengths;
        audioStart = b.audioStart == null ? new int[n] : b.audioStart;
        vision = b.vision;
        visionLengths = b.visionLengths;
        visionStart = b.visionStart == null ? new int[n] : b.visionStart;
        labels = b.labels;
        ids = b.ids;
        rawText = b.rawText;
        negative = b.negative;
        negativeModality = b.negativeModality;
        latent = b.latent;
    }

    /** @return a builder of a split with this name */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return the number of samples */
    public int size() {
        return labels.length;
    }

    /** @return whether per-sample negative-information flags are known */
    public boolean hasNegativeFlags() {
        return negative != null;
    }

    /** @return sample {@code i}'s token id at position {@code t} */
    public int tokenId(int i, int t) {
        return textIds[i * textLen + t];
    }

    /** @return the split restricted to the given samples, in order (copied to the heap) */
    public Split subset(int[] idx) {
        return builder(name)
                .textFeatures(textFeatures == null ? null : textFeatures.select(idx), select(textStart, idx))
                .textIds(textIds == null ? null : selectRows(textIds, textLen, idx), textLen)
                .textLengths(select(textLengths, idx))
                .audio(audio.select(idx), select(audioLengths, idx), select(audioStart, idx))
                .vision(vision.select(idx), select(visionLengths, idx), select(visionStart, idx))
                .labels(select(labels, idx))
                .ids(select(ids, idx))
                .rawText(rawText == null ? null : select(rawText, idx))
                .negative(negative == null ? null : select(negative, idx),
                        negativeModality == null ? null : select(negativeModality, idx))
                .latent(latent == null ? null : select(latent, idx))
                .build();
    }

    /** @return the first {@code limit} samples (all if limit is 0 or larger than the split) */
    public Split limit(int limit) {
        if (limit <= 0 || limit >= size()) {
            return this;
        }
        int[] idx = new int[limit];
        for (int i = 0; i < limit; i++) {
            idx[i] = i;
        }
        return subset(idx);
    }

    /**
     * Checks that every array agrees on N and that lengths fit the padded sizes.
     *
     * @throws IllegalStateException naming the array and shapes when they do not
     */
    public Split check() {
        int n = labels.length;
        if (textFeatures == null && textIds == null) {
            throw new IllegalStateException("split '" + name + "': no text (neither token features 'text' nor token ids"
                    + " 'text_bert')");
        }
        requireN("audio", audio.size(), n);
        requireN("vision", vision.size(), n);
        requireN("audio_lengths", audioLengths.length, n);
        requireN("vision_lengths", visionLengths.length, n);
        requireN("text lengths", textLengths.length, n);
        requireN("id", ids.length, n);
        if (textFeatures != null) {
            requireN("text", textFeatures.size(), n);
        }
        if (textIds != null && textIds.length != n * textLen) {
            throw new IllegalStateException("split '" + name + "': text ids hold " + textIds.length
                    + " values, expected N*Lt = " + n + "*" + textLen);
        }
        requireLengths("text", textLengths, textStart, textLen);
        requireLengths("audio", audioLengths, audioStart, audio.length());
        requireLengths("vision", visionLengths, visionStart, vision.length());
        return this;
    }

    private void requireN(String key, int got, int n) {
        if (got != n) {
            throw new IllegalStateException(
                    "split '" + name + "': " + key + " has " + got + " samples but labels have " + n);
        }
    }

    private void requireLengths(String key, int[] lengths, int[] start, int padded) {
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1 || start[i] < 0 || start[i] + lengths[i] > padded) {
                throw new IllegalStateException("split '" + name + "': " + key + " length of sample " + i
                        + " is " + lengths[i] + (start[i] > 0 ? " from frame " + start[i] : "")
                        + ", outside 1.." + padded + " (the padded size)");
            }
        }
    }

    private static int[] select(int[] a, int[] idx) {
        int[] out = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = a[idx[k]];
        }
        return out;
    }

    private static float[] select(float[] a, int[] idx) {
        float[] out = new float[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = a[idx[k]];
        }
        return out;
    }

    private static byte[] select(byte[] a, int[] idx) {
        byte[] out = new byte[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = a[idx[k]];
        }
        return out;
    }

    private static <T> T[] select(T[] a, int[] idx) {
        T[] out = Arrays.copyOf(a, idx.length);
        for (int k = 0; k < idx.length; k++) {
            out[k] = a[idx[k]];
        }
        return out;
    }

    private static int[] selectRows(int[] a, int width, int[] idx) {
        int[] out = new int[idx.length * width];
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(a, idx[k] * width, out, k * width, width);
        }
        return out;
    }

    /** Assembles a {@link Split}; starts default to 0 (right padding). */
    public static final class Builder {
        private final String name;
        private FrameStore textFeatures;
        private int[] textStart;
        private int[] textIds;
        private int textLen;
        private int[] textLengths;
        private FrameStore audio;
        private int[] audioLengths;
        private int[] audioStart;
        private FrameStore vision;
        private int[] visionLengths;
        private int[] visionStart;
        private float[] labels;
        private String[] ids;
        private String[] rawText;
        private NegativeInfo[] negative;
        private byte[] negativeModality;
        private float[] latent;

        private Builder(String name) {
            this.name = name;
        }

        /** @param start first valid token per sample, or null for 0 */
        public Builder textFeatures(FrameStore features, int[] start) {
            this.textFeatures = features;
            this.textStart = start;
            if (features != null) {
                this.textLen = features.length();
            }
            return this;
        }

        /** @param ids right-padded token ids [N * Lt], or null */
        public Builder textIds(int[] ids, int textLen) {
            this.textIds = ids;
            if (ids != null) {
                this.textLen = textLen;
            }
            return this;
        }

        public Builder textLengths(int[] lengths) {
            this.textLengths = lengths;
            return this;
        }

        public Builder audio(FrameStore frames, int[] lengths, int[] start) {
            this.audio = frames;
            this.audioLengths = lengths;
            this.audioStart = start;
            return this;
        }

        public Builder vision(FrameStore frames, int[] lengths, int[] start) {
            this.vision = frames;
            this.visionLengths = lengths;
            this.visionStart = start;
            return this;
        }

        public Builder labels(float[] labels) {
            this.labels = labels;
            return this;
        }

        public Builder ids(String[] ids) {
            this.ids = ids;
            return this;
        }

        public Builder rawText(String[] rawText) {
            this.rawText = rawText;
            return this;
        }

        public Builder negative(NegativeInfo[] kinds, byte[] modalities) {
            this.negative = kinds;
            this.negativeModality = modalities;
            return this;
        }

        public Builder latent(float[] latent) {
            this.latent = latent;
            return this;
        }

        /** @return the split, checked */
        public Split build() {
            return new Split(this).check();
        }
    }
}
