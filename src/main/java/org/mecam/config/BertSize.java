package org.mecam.config;

/** Sizes of the randomly initialised BERT used in {@code textMode=bert}. */
public enum BertSize implements Choice {
    /** bert-base: 12 layers, 768 hidden, 12 heads, 3072 intermediate. */
    BASE(12, 768, 12, 3072),
    /** 4 layers, 512 hidden, 8 heads, 2048 intermediate. */
    SMALL(4, 512, 8, 2048),
    /** 4 layers, 256 hidden, 4 heads, 1024 intermediate. */
    MINI(4, 256, 4, 1024),
    /** 2 layers, 128 hidden, 2 heads, 512 intermediate. */
    TINY(2, 128, 2, 512);

    private final int layers;
    private final int hidden;
    private final int heads;
    private final int intermediate;

    BertSize(int layers, int hidden, int heads, int intermediate) {
        this.layers = layers;
        this.hidden = hidden;
        this.heads = heads;
        this.intermediate = intermediate;
    }

    public int layers() {
        return layers;
    }

    public int hidden() {
        return hidden;
    }

    public int heads() {
        return heads;
    }

    public int intermediate() {
        return intermediate;
    }

    @Override
    public String toString() {
        return key();
    }
}
