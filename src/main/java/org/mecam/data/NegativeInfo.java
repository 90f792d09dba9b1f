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
    SHUFFLE("shuffle");

    private final String key;

    NegativeInfo(String key) {
        this.key = key;
    }

    public String key() {
        return key;
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
