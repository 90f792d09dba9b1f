package org.mecam.data;

/**
 * One split (train, valid or test) in memory. Sequences are right-padded and come with their
 * valid lengths. Text is present as token features, token ids, or both; the synthetic
 * generator also records each sample's latent sentiment and negative information.
 */
public final class Split {

    /** "train", "valid" or "test". */
    public final String name;
    /** Token features [N, Lt, Dt], or null. */
    public final FloatTensor3 textFeatures;
    /** Token ids [N * Lt] row-major (with [CLS] first), or null. */
    public final int[] textIds;
    /** Valid tokens per sample (1..Lt). */
    public final int[] textLengths;
    /** Padded token length Lt. */
    public final int textLen;
    /** Audio [N, La, Da]. */
    public final FloatTensor3 audio;
    /** Valid audio frames per sample (1..La). */
    public final int[] audioLengths;
    /** Vision [N, Lv, Dv]. */
    public final FloatTensor3 vision;
    /** Valid vision frames per sample (1..Lv). */
    public final int[] visionLengths;
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

    /** All arrays of a split; lengths and shapes are checked by {@link #check()}. */
    public Split(
            String name,
            FloatTensor3 textFeatures,
            int[] textIds,
            int[] textLengths,
            int textLen,
            FloatTensor3 audio,
            int[] audioLengths,
            FloatTensor3 vision,
            int[] visionLengths,
            float[] labels,
            String[] ids,
            String[] rawText,
            NegativeInfo[] negative,
            byte[] negativeModality,
            float[] latent) {
        this.name = name;
        this.textFeatures = textFeatures;
        this.textIds = textIds;
        this.textLengths = textLengths;
        this.textLen = textLen;
        this.audio = audio;
        this.audioLengths = audioLengths;
        this.vision = vision;
        this.visionLengths = visionLengths;
        this.labels = labels;
        this.ids = ids;
        this.rawText = rawText;
        this.negative = negative;
        this.negativeModality = negativeModality;
        this.latent = latent;
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

    /** @return the split restricted to the given samples, in order */
    public Split subset(int[] idx) {
        return new Split(
                name,
                textFeatures == null ? null : textFeatures.select(idx),
                textIds == null ? null : selectRows(textIds, textLen, idx),
                select(textLengths, idx),
                textLen,
                audio.select(idx),
                select(audioLengths, idx),
                vision.select(idx),
                select(visionLengths, idx),
                select(labels, idx),
                select(ids, idx),
                rawText == null ? null : select(rawText, idx),
                negative == null ? null : select(negative, idx),
                negativeModality == null ? null : select(negativeModality, idx),
                latent == null ? null : select(latent, idx));
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
        requireN("audio", audio.size(), n);
        requireN("vision", vision.size(), n);
        requireN("audio_lengths", audioLengths.length, n);
        requireN("vision_lengths", visionLengths.length, n);
        requireN("text lengths", textLengths.length, n);
        requireN("id", ids.length, n);
        if (textFeatures == null && textIds == null) {
            throw new IllegalStateException("split '" + name + "': no text (neither features nor ids)");
        }
        if (textFeatures != null) {
            requireN("text", textFeatures.size(), n);
        }
        if (textIds != null && textIds.length != n * textLen) {
            throw new IllegalStateException("split '" + name + "': text ids hold " + textIds.length
                    + " values, expected N*Lt = " + n + "*" + textLen);
        }
        requireLengths("text", textLengths, textLen);
        requireLengths("audio", audioLengths, audio.length());
        requireLengths("vision", visionLengths, vision.length());
        return this;
    }

    private void requireN(String key, int got, int n) {
        if (got != n) {
            throw new IllegalStateException(
                    "split '" + name + "': " + key + " has " + got + " samples but labels have " + n);
        }
    }

    private void requireLengths(String key, int[] lengths, int padded) {
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1 || lengths[i] > padded) {
                throw new IllegalStateException("split '" + name + "': " + key + " length of sample " + i
                        + " is " + lengths[i] + ", outside 1.." + padded + " (the padded size)");
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
        T[] out = java.util.Arrays.copyOf(a, idx.length);
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
}
