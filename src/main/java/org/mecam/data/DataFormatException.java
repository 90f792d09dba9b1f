package org.mecam.data;

import org.mecam.config.ConfigException;

/** A dataset file that cannot be used: the message names the file, split, key and shape. */
public final class DataFormatException extends ConfigException {

    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }
}
