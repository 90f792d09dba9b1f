package org.mecam.data.io.pickle;

import java.nio.ByteOrder;

/** A numpy dtype as pickled: kind, item size and byte order. */
public final class NpyDType {

    private final String descr;
    private final char kind;
    private int itemSize;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    private NpyDType(String descr, char kind, int itemSize) {
        this.descr = descr;
        this.kind = kind;
        this.itemSize = itemSize;
    }

    private boolean supported = true;

    /**
     * Parses a dtype string as numpy pickles it ({@code f4}, {@code <i8}, {@code U12}, {@code S5},
     * {@code O8}, {@code b1}). Other dtypes (complex, datetime, void, structured) are kept as
     * unsupported, so that the code using the array can name where it found one.
     */
    public static NpyDType parse(String descr) {
        String s = descr;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (!s.isEmpty() && "<>=|".indexOf(s.charAt(0)) >= 0) {
            order = s.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            s = s.substring(1);
        }
        if (s.equals("?")) {
            s = "b1";
        }
        char kind = s.isEmpty() ? '?' : s.charAt(0);
        int n;
        try {
            n = s.length() > 1 ? Integer.parseInt(s.replaceAll("\\[.*$", "").substring(1)) : (kind == 'O' ? 8 : 1);
        } catch (NumberFormatException e) {
            n = 0;
        }
        int size = kind == 'U' ? 4 * n : n;
        NpyDType d = new NpyDType(descr, kind, size);
        d.order = order;
        d.supported = "fiubUSO".indexOf(kind) >= 0 && n > 0
                && !(kind == 'f' && size != 2 && size != 4 && size != 8)
                && !((kind == 'i' || kind == 'u') && size != 1 && size != 2 && size != 4 && size != 8);
        return d;
    }

    /** Applies a dtype's pickled state: (version, endian, subarray, names, fields, elsize, alignment, flags). */
    void setState(PyTuple state) {
        if (state.size() < 2) {
            return;
        }
        Object endian = state.get(1);
        if (">".equals(endian)) {
            order = ByteOrder.BIG_ENDIAN;
        } else if ("<".equals(endian)) {
            order = ByteOrder.LITTLE_ENDIAN;
        }
        if (state.size() >= 5 && (state.get(3) != null || state.get(4) != null)) {
            supported = false;
        }
        if (state.size() >= 6 && state.get(5) instanceof Long && (Long) state.get(5) > 0
                && (kind == 'U' || kind == 'S' || !supported)) {
            itemSize = (int) (long) (Long) state.get(5);
        }
    }

    /** @return 'f', 'i', 'u', 'b', 'U', 'S' or 'O' */
    public char kind() {
        return kind;
    }

    /** @return bytes per element */
    public int itemSize() {
        return itemSize;
    }

    public ByteOrder order() {
        return order;
    }

    /** @return whether the elements are numbers (or booleans) this reader converts */
    public boolean isNumeric() {
        return supported && "fiub".indexOf(kind) >= 0;
    }

    /** @return whether this reader can convert the elements (false for complex, datetime, structured, void) */
    public boolean isSupported() {
        return supported;
    }

    /** @return numpy's notation, e.g. {@code <f4}, {@code >i8}, {@code <U12}, {@code |S5}, {@code |O} */
    public String describe() {
        if (!supported) {
            return descr;
        }
        if (kind == 'O') {
            return "|O";
        }
        char bo = itemSize == 1 || kind == 'S' || kind == 'b' ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        return "" + bo + kind + (kind == 'U' ? itemSize / 4 : itemSize);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** @return the original pickled dtype string */
    public String descr() {
        return descr;
    }
}
