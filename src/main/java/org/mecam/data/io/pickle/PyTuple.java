package org.mecam.data.io.pickle;

import java.util.List;

/** A Python tuple. */
public record PyTuple(List<Object> items) {

    public int size() {
        return items.size();
    }

    public Object get(int i) {
        return items.get(i);
    }
}
