package org.mecam.data.io.pickle;

import java.util.List;

/**
 * An object of a class this reader does not construct (a pandas frame, a custom class): kept
 * so that error messages can say what the pickle holds instead.
 */
public record PyObject(PyGlobal type, List<Object> args, Object state) {

    @Override
    public String toString() {
        return "<" + type + " object>";
    }
}
