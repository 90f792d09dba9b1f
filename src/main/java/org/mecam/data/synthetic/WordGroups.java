package org.mecam.data.synthetic;

import java.util.SplittableRandom;

/**
 * The word ids of a synthetic vocabulary: six groups of {@code groupSize} sentiment words from
 * {@code firstWord} on (values -3, -2, -1, 1, 2, 3, in that order), then neutral words up to
 * {@code neutralEnd} (exclusive). Both generators draw their words through it.
 */
record WordGroups(int firstWord, int groupSize, int neutralEnd) {

    static final int GROUPS = 6;

    /** @return the first neutral word */
    int firstNeutral() {
        return firstWord + GROUPS * groupSize;
    }

    /** @return a random word of sentiment value {@code value} (-3..-1 or 1..3) */
    int sentimentWord(SplittableRandom rng, int value) {
        int group = value < 0 ? value + 3 : value + 2;
        return firstWord + group * groupSize + rng.nextInt(groupSize);
    }

    /** @return a random neutral word */
    int neutralWord(SplittableRandom rng) {
        return firstNeutral() + rng.nextInt(neutralEnd - firstNeutral());
    }

    /** @return the sentiment value a token id expresses (0 for neutral and other tokens) */
    int value(int token) {
        int group = (token - firstWord) / groupSize;
        if (token < firstWord || group >= GROUPS) {
            return 0;
        }
        return group < 3 ? group - 3 : group - 2;
    }
}
