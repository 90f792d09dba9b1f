package org.mecam.data.io.pickle;

/** A reference to a Python class or function ({@code module.name}) in a pickle. */
public record PyGlobal(String module, String name) {

    /** @return whether this is {@code module.name} under numpy 1.x or 2.x module paths */
    boolean isNumpy(String submodule, String fn) {
        return name.equals(fn) && (module.equals("numpy." + submodule) || module.equals("numpy.core." + submodule)
                || module.equals("numpy._core." + submodule));
    }

    @Override
    public String toString() {
        return module + "." + name;
    }
}
