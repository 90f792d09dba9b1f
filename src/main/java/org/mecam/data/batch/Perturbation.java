package org.mecam.data.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mecam.config.ConfigException;
import org.mecam.config.Modality;

/**
 * One negative-information perturbation at a level p in [0, 1] (docs/METHOD.md, "Negative information at test time"). At p = 0
 * every kind is the identity.
 *
 * @param kind what is perturbed
 * @param level p
 */
public record Perturbation(Kind kind, double level) {

    /** The perturbations of the robustness protocol. */
    public enum Kind {
        /** Replace round(p n) words by [UNK] / zero features ([CLS] and [SEP] kept). */
        TEXT_DROP("text-drop", Modality.TEXT),
        /** Permute round(p n) of the words among themselves. */
        TEXT_SHUFFLE("text-shuffle", Modality.TEXT),
        /** Zero round(p L) valid audio frames. */
        AUDIO_DROP("audio-drop", Modality.AUDIO),
        /** Add Gaussian noise of std p (in units of each feature's std) to valid audio frames. */
        AUDIO_NOISE("audio-noise", Modality.AUDIO),
        /** Moving average of width 1 + round(10 p) over valid audio frames. */
        AUDIO_BLUR("audio-blur", Modality.AUDIO),
        /** Zero round(p L) valid vision frames. */
        VISION_DROP("vision-drop", Modality.VISION),
        /** Gaussian noise on vision frames. */
        VISION_NOISE("vision-noise", Modality.VISION),
        /** Moving average over vision frames. */
        VISION_BLUR("vision-blur", Modality.VISION),
        /** With probability p, replace the text by that of a sample of opposite polarity. */
        TEXT_CONFLICT("text-conflict", Modality.TEXT),
        /** With probability p, replace the audio by that of a sample of opposite polarity. */
        AUDIO_CONFLICT("audio-conflict", Modality.AUDIO),
        /** With probability p, replace the vision by that of a sample of opposite polarity. */
        VISION_CONFLICT("vision-conflict", Modality.VISION);

        private final String key;
        private final Modality modality;

        Kind(String key, Modality modality) {
            this.key = key;
            this.modality = modality;
        }

        public String key() {
            return key;
        }

        /** @return the modality the perturbation changes */
        public Modality modality() {
            return modality;
        }

        /** @return the kind with this key */
        public static Kind of(String key) {
            for (Kind k : values()) {
                if (k.key.equals(key)) {
                    return k;
                }
            }
            List<String> keys = new ArrayList<>();
            for (Kind k : values()) {
                keys.add(k.key);
            }
            throw new ConfigException("unknown perturbation '" + key + "' (known: " + String.join(", ", keys) + ")");
        }
    }

    public Perturbation {
        if (!(level >= 0 && level <= 1)) {
            throw new ConfigException("perturbation " + kind.key() + ": level must be in [0, 1], got " + level);
        }
    }

    /** @return e.g. {@code audio-drop:0.3} */
    @Override
    public String toString() {
        return kind.key() + ":" + String.format(Locale.ROOT, "%.2f", level);
    }

    /**
     * @param spec comma-separated {@code kind:level}, e.g. {@code audio-drop:0.3,text-shuffle:0.2}
     * @return the perturbations, empty for a blank spec
     */
    public static List<Perturbation> parseList(String spec) {
        List<Perturbation> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) {
                throw new ConfigException("perturbation '" + part.trim() + "': expected kind:level, e.g. audio-drop:0.3");
            }
            double level;
            try {
                level = Double.parseDouble(kv[1]);
            } catch (NumberFormatException e) {
                throw new ConfigException("perturbation '" + part.trim() + "': level '" + kv[1] + "' is not a number");
            }
            out.add(new Perturbation(Kind.of(kv[0].trim()), level));
        }
        return out;
    }
}
