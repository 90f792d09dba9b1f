package org.mecam.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A dataset: train, valid and test splits plus what the model needs to know of their shapes. */
public final class MultimodalDataset {

    /** Shapes shared by the splits; {@code unknownTokenId} is the vocabulary's [UNK] id. */
    public record Info(
            String name,
            String source,
            int textLen,
            int textFeatureDim,
            int vocabSize,
            int audioLen,
            int audioDim,
            int visionLen,
            int visionDim,
            boolean aligned,
            int unknownTokenId) {

        /** @return whether the text can feed feature mode */
        public boolean hasTextFeatures() {
            return textFeatureDim > 0;
        }

        /** @return whether the text can feed BERT mode */
        public boolean hasTextIds() {
            return vocabSize > 0;
        }

        /** @return the values as an ordered map */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("source", source);
            m.put("textLen", textLen);
            m.put("textFeatureDim", textFeatureDim);
            m.put("vocabSize", vocabSize);
            m.put("audioLen", audioLen);
            m.put("audioDim", audioDim);
            m.put("visionLen", visionLen);
            m.put("visionDim", visionDim);
            m.put("aligned", aligned);
            m.put("unknownTokenId", unknownTokenId);
            return m;
        }
    }

    private final Info info;
    private final Split train;
    private final Split valid;
    private final Split test;
    private final List<String> notes;

    public MultimodalDataset(Info info, Split train, Split valid, Split test) {
        this(info, train, valid, test, List.of());
    }

    /** @param notes what loading found worth telling (padding side, non-finite values, label range) */
    public MultimodalDataset(Info info, Split train, Split valid, Split test, List<String> notes) {
        this.info = info;
        this.train = train;
        this.valid = valid;
        this.test = test;
        this.notes = List.copyOf(notes);
        checkSplitsAgree();
    }

    /**
     * @throws DataFormatException when the splits differ in a feature width or in the text layout
     *     (features, token ids), with every split's value side by side
     */
    private void checkSplitsAgree() {
        List<Split> splits = List.of(train, valid, test);
        List<String> problems = new java.util.ArrayList<>();
        String[] names = {"text feature", "audio", "vision"};
        for (int m = 0; m < 3; m++) {
            List<String> widths = new java.util.ArrayList<>();
            java.util.Set<Integer> distinct = new java.util.HashSet<>();
            for (Split s : splits) {
                FrameStore f = m == 0 ? s.textFeatures : m == 1 ? s.audio : s.vision;
                int w = f == null ? -1 : f.dim();
                distinct.add(w);
                widths.add(s.name + " " + (w < 0 ? "absent" : String.valueOf(w)));
            }
            if (distinct.size() > 1) {
                problems.add(names[m] + " width: " + String.join(", ", widths));
            }
        }
        java.util.Set<Boolean> ids = new java.util.HashSet<>();
        List<String> layout = new java.util.ArrayList<>();
        for (Split s : splits) {
            ids.add(s.textIds != null);
            layout.add(s.name + " " + (s.textIds != null ? "has" : "lacks"));
        }
        if (ids.size() > 1) {
            problems.add("text token ids: " + String.join(", ", layout));
        }
        if (!problems.isEmpty()) {
            throw new DataFormatException(info.source() + ": the splits disagree (" + String.join("; ", problems)
                    + "); every split must have the same feature widths and text layout");
        }
    }

    /** @return what loading found worth telling */
    public List<String> notes() {
        return notes;
    }

    public Info info() {
        return info;
    }

    public Split train() {
        return train;
    }

    public Split valid() {
        return valid;
    }

    public Split test() {
        return test;
    }

    /** @return the three splits in order */
    public List<Split> splits() {
        return List.of(train, valid, test);
    }

    /** @return the split with that name */
    public Split split(String name) {
        switch (name) {
            case "train":
                return train;
            case "valid":
                return valid;
            case "test":
                return test;
            default:
                throw new IllegalArgumentException("no split '" + name + "' (train, valid, test)");
        }
    }

    /** @return the dataset with each split cut to its first {@code limit} samples */
    public MultimodalDataset limit(int limit) {
        if (limit <= 0) {
            return this;
        }
        return new MultimodalDataset(info, train.limit(limit), valid.limit(limit), test.limit(limit), notes);
    }
}
