package org.mecam.experiment.grid;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Set;
import org.mecam.config.ConfigException;

/** Reading a grid file's JSON: each value checked for its type, each error naming the file and the path to the value. */
final class GridJson {

    private final String source;

    GridJson(String source) {
        this.source = source;
    }

    String text(JsonObject o, String key, String where, String fallback) {
        return o.has(key) && !o.get(key).isJsonNull() ? text(o.get(key), where) : fallback;
    }

    String text(JsonElement e, String where) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw invalid(where, "a string", e);
        }
        return e.getAsString();
    }

    long integer(JsonElement e, String where) {
        double v = number(e, where);
        if (v != Math.rint(v) || Math.abs(v) > 1e15) {
            throw invalid(where, "an integer", e);
        }
        return (long) v;
    }

    boolean bool(JsonObject o, String key, String where, boolean fallback) {
        if (!o.has(key)) {
            return fallback;
        }
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw invalid(where, "true or false", e);
        }
        return e.getAsBoolean();
    }

    double number(JsonElement e, String where) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw invalid(where, "a number", e);
        }
        return e.getAsDouble();
    }

    /** @return the object under {@code key}, an empty one when absent; unknown keys are errors when {@code known} is given */
    JsonObject object(JsonObject o, String key, String where, Set<String> known) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return new JsonObject();
        }
        return element(o.get(key), where, known);
    }

    JsonObject element(JsonElement e, String where, Set<String> known) {
        if (!e.isJsonObject()) {
            throw invalid(where, "an object", e);
        }
        JsonObject obj = e.getAsJsonObject();
        if (known != null) {
            for (String k : obj.keySet()) {
                if (!known.contains(k)) {
                    throw new ConfigException(source + ": " + where + ": unknown key '" + k + "' (known: "
                            + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                }
            }
        }
        return obj;
    }

    String required(JsonObject o, String where) {
        String n = text(o, "name", where + ".name", null);
        if (n == null || n.isBlank()) {
            throw new ConfigException(source + ": " + where + " needs a \"name\"");
        }
        return n;
    }

    JsonArray array(JsonObject o, String key) {
        return array(o, key, key);
    }

    JsonArray array(JsonObject o, String key, String where) {
        if (!o.has(key) || !o.get(key).isJsonArray()) {
            throw new ConfigException(source + ": needs an array \"" + where + "\""
                    + (o.has(key) ? ", got " + o.get(key) : ""));
        }
        return o.getAsJsonArray(key);
    }

    ConfigException invalid(String where, String expected, JsonElement got) {
        return new ConfigException(source + ": " + where + " must be " + expected + ", got " + got);
    }
}
