package org.mecam.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A modality of the data: its one-letter code (as users write {@code modalities}, e.g.
 * {@code tav}), its name, and its code in a sample's negative information
 * ({@code org.mecam.data.NegativeInfo}). The order of the constants is the kit's order of
 * modalities everywhere (columns, figures, checkpoint names).
 */
public enum Modality {
    TEXT('t', "text", (byte) 1),
    AUDIO('a', "audio", (byte) 2),
    VISION('v', "vision", (byte) 3);

    private final char code;
    private final String label;
    private final byte negativeCode;

    Modality(char code, String label, byte negativeCode) {
        this.code = code;
        this.label = label;
        this.negativeCode = negativeCode;
    }

    /** @return the letter users write: t, a or v */
    public char code() {
        return code;
    }

    /** @return text, audio or vision */
    public String label() {
        return label;
    }

    /** @return the modality's code in a sample's negative information */
    public byte negativeCode() {
        return negativeCode;
    }

    /**
     * @return the modality of a letter
     * @throws IllegalArgumentException for any other letter
     */
    public static Modality of(char code) {
        for (Modality m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown modality '" + code + "' (expected t, a or v)");
    }

    /** @return the modalities of a string such as {@code tav}, in its order */
    public static List<Modality> parse(String codes) {
        List<Modality> out = new ArrayList<>();
        for (char c : codes.toCharArray()) {
            out.add(of(c));
        }
        return out;
    }

    @Override
    public String toString() {
        return String.valueOf(code);
    }
}
