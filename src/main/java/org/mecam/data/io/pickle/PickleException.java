package org.mecam.data.io.pickle;

import org.mecam.config.ConfigException;

/** A pickle that cannot be read: not a pickle, truncated, or holding what this reader cannot build. */
public final class PickleException extends ConfigException {

    private static final long serialVersionUID = 1L;

    public PickleException(String message) {
        super(message);
    }

    public PickleException(String message, Throwable cause) {
        super(message, cause);
    }
}
