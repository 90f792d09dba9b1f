package org.mecam.data;

/** Which negative information a synthetic sample carries, recorded per sample. */
public enum NegativeInfo {
    /** Clean sample. */
    NONE("none"),
    /** One modality expresses the opposite sentiment of the label. */
    CONFLICT("conflict"),
    /** A fraction of the valid frames of audio or vision is replaced by strong noise. */
    NOISE("noise"),
    /** A fraction of the valid frames of audio or vision is zeroed (dropped). */
    DROP("drop"),
    /** The words of the text are shuffled, which breaks negations such as "not good". */
    SHUFFLE("shuffle"),
    /**
     * Most words of the text are replaced by off-distribution tokens, whose features are far
     * larger than any word's (the complementary preset's detectable text negative).
     */
    GARBLE("garble");

    private final String key;

    NegativeInfo(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /**
     * Whether the negative information marks itself inside the modality it hits, so that a filter
     * that sees only that modality could single it out: noise bursts, dropped frames and garbled
     * tokens have their own statistics (frame variance, zero frames, token norm); a conflicting
     * modality is a valid-looking sample of the opposite sentiment and is not. Shuffled words are
     * neither: the words are right, only their order is not.
     *
     * @return "detectable", "undetectable", or null (clean samples and shuffled words)
     */
    public String detectability() {
        switch (this) {
            case NOISE:
            case DROP:
            case GARBLE:
                return "detectable";
            case CONFLICT:
                return "undetectable";
            default:
                return null;
        }
    }

    /** @return the kind of a key ("none", "conflict", ...) */
    public static NegativeInfo ofKey(String key) {
        for (NegativeInfo k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown negative information '" + key + "'");
    }

    /** Modality codes stored next to the kind. */
    public static final byte MOD_NONE = 0;
    public static final byte MOD_TEXT = 1;
    public static final byte MOD_AUDIO = 2;
    public static final byte MOD_VISION = 3;

    /** @return "none", "text", "audio" or "vision" */
    public static String modalityName(byte code) {
        switch (code) {
            case MOD_TEXT:
                return "text";
            case MOD_AUDIO:
                return "audio";
            case MOD_VISION:
                return "vision";
            default:
                return "none";
        }
    }
}
