package org.mecam.config;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads and writes {@link RunConfig} as JSON, strictly: unknown keys and wrong types are errors. */
public final class ConfigJson {

    /** Shared Gson: pretty, choices as their keys, NaN and infinities allowed in numbers. */
    public static final Gson GSON =
            new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeSpecialFloatingPointValues()
                    .disableHtmlEscaping()
                    .registerTypeAdapterFactory(new ChoiceAdapterFactory())
                    .create();

    /** A run's config.json also records its provenance under this key; loading ignores it. */
    public static final String PROVENANCE_KEY = "provenance";

    private ConfigJson() {}

    /** @return the config as pretty JSON */
    /**
     * Parses JSON text as {@code JsonParser.parseString} does. Written with the older API on
     * purpose: kernels such as IJava put gson 2.8.5 (which lacks {@code parseString}) on the
     * class path ahead of the kit's gson, and the kit's classes must run with either.
     */
    @SuppressWarnings("deprecation")
    public static JsonElement parse(String text) {
        return new JsonParser().parse(text);
    }

    public static String toJson(RunConfig config) {
        return GSON.toJson(config);
    }

    /**
     * Loads a whole config from a file, or from a built-in name ({@code mosi}, {@code mosei},
     * {@code tiny}) when no such file exists.
     *
     * @throws ConfigException naming the file and key on any problem
     */
    public static RunConfig load(String fileOrName) {
        Path p = Paths.get(fileOrName);
        if (Files.isRegularFile(p)) {
            try {
                return fromJson(Files.readString(p, StandardCharsets.UTF_8), p.toString());
            } catch (IOException e) {
                throw new ConfigException("cannot read config " + p + ": " + e.getMessage(), e);
            }
        }
        String resource = "/configs/" + fileOrName + ".json";
        try (InputStream in = ConfigJson.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ConfigException(
                        "config: file not found: " + p.toAbsolutePath()
                                + " (and no built-in config named '" + fileOrName + "'; built-ins: mosi, mosei, tiny)");
            }
            return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in config " + fileOrName);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies the keys of a JSON object on top of the defaults.
     *
     * @param json the JSON text
     * @param source the file name used in error messages
     */
    public static RunConfig fromJson(String json, String source) {
        JsonElement root;
        try {
            root = parse(json);
        } catch (JsonParseException e) {
            throw new ConfigException(source + ": not valid JSON: " + jsonError(e), e);
        }
        if (!root.isJsonObject()) {
            throw new ConfigException(source + ": expected a JSON object of config keys");
        }
        RunConfig config = new RunConfig();
        JsonObject obj = root.getAsJsonObject();
        for (String key : obj.keySet()) {
            if (key.equals(PROVENANCE_KEY)) {
                continue;
            }
            Field field = fieldOrNull(key);
            if (field == null) {
                throw new ConfigException(
                        source + ": unknown key '" + key + "' (known keys: "
                                + RunConfig.fields().stream().map(Field::getName).collect(Collectors.joining(", ")) + ")");
            }
            set(config, field, obj.get(key), source);
        }
        replayThreads(config, obj);
        replayAddedKeys(config, obj);
        return config;
    }

    /**
     * A run's config.json written before runs recorded their resolved thread count says {@code
     * threads: 0} (the machine's default); its provenance says what that was. Replaying it takes
     * that count, since libtorch's sums differ in their last bits between thread counts.
     */
    private static void replayThreads(RunConfig config, JsonObject obj) {
        if (config.threads != 0 || !obj.has(PROVENANCE_KEY) || !obj.get(PROVENANCE_KEY).isJsonObject()) {
            return;
        }
        JsonElement runtime = obj.getAsJsonObject(PROVENANCE_KEY).get("runtime");
        if (runtime != null && runtime.isJsonObject() && runtime.getAsJsonObject().has("intraOpThreads")) {
            try {
                config.threads = Math.max(0, runtime.getAsJsonObject().get("intraOpThreads").getAsInt());
            } catch (RuntimeException e) {
                // not a number: the config's own threads key (0) stands
            }
        }
    }

    /**
     * Keys added after runs were shipped, with the value those runs were computed with: MKL's own
     * kernel choice (the modes differ in the last bits), libtorch's dropout masks (other draws),
     * the attention computed op by op (the last bits) and oneDNN capped at AVX2 (the last bits).
     */
    private static final Map<String, String> LEGACY_VALUES = Map.of(
            "mklKernels", org.mecam.engine.MklKernels.LEGACY,
            "dropoutMasks", org.mecam.model.DropoutMasks.LEGACY,
            "attentionKernel", org.mecam.model.AttentionKernel.LEGACY,
            "lstmKernel", org.mecam.engine.LstmKernel.LEGACY);

    /**
     * @return the runtime keys added since runs were shipped ({@link #LEGACY_VALUES}), sorted:
     *     settings that change a run's last bits or its random draws, not its configuration
     */
    public static java.util.List<String> addedRuntimeKeys() {
        return LEGACY_VALUES.keySet().stream().sorted().toList();
    }

    /** @return the text value of one of {@link #addedRuntimeKeys()} in {@code config} */
    public static String runtimeValue(RunConfig config, String key) {
        if (!LEGACY_VALUES.containsKey(key)) {
            throw new IllegalArgumentException("not an added runtime key: " + key);
        }
        try {
            return String.valueOf(fieldOrNull(key).get(config));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A run's config.json (it has provenance) written before a key of {@link #LEGACY_VALUES}
     * existed replays with the value it was computed with, not today's default.
     */
    private static void replayAddedKeys(RunConfig config, JsonObject obj) {
        if (!obj.has(PROVENANCE_KEY) || !obj.get(PROVENANCE_KEY).isJsonObject()) {
            return;
        }
        for (Map.Entry<String, String> e : LEGACY_VALUES.entrySet()) {
            if (!obj.has(e.getKey())) {
                set(config, fieldOrNull(e.getKey()), new JsonPrimitive(e.getValue()), "legacy");
            }
        }
    }

    /**
     * Sets one value from its text form, as given on the command line.
     *
     * @throws ConfigException naming the key when the text does not fit the type
     */
    public static void setFromString(RunConfig config, String key, String text) {
        Field field = fieldOrNull(key);
        if (field == null) {
            throw new ConfigException("unknown config key '" + key + "'");
        }
        JsonElement value = field.getType() == String.class || Choice.class.isAssignableFrom(field.getType())
                ? new JsonPrimitive(text)
                : parseScalar(text);
        set(config, field, value, "option --" + kebab(key));
    }

    /**
     * @return a JSON parser's complaint in one line, without gson's class names and help URL:
     *     "Expected name at line 1 column 14 path $.epochs" becomes "line 1 column 14: expected name
     *     (after $.epochs)"
     */
    public static String jsonError(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage()).lines().findFirst().orElse("").replaceAll("^[\\w.]+Exception: ", "");
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("^(.*?) at line (\\d+) column (\\d+)(?: path (\\S+))?")
                .matcher(m);
        if (at.find()) {
            String what = at.group(1).isEmpty() ? "syntax error" : Character.toLowerCase(at.group(1).charAt(0)) + at.group(1).substring(1);
            return "line " + at.group(2) + " column " + at.group(3) + ": " + what
                    + (at.group(4) == null || at.group(4).equals("$") ? "" : " (after " + at.group(4) + ")");
        }
        return m;
    }

    /** @return {@code lrMain} as {@code lr-main} */
    public static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static JsonElement parseScalar(String text) {
        try {
            return parse(text);
        } catch (JsonParseException e) {
            return new JsonPrimitive(text);
        }
    }

    private static Field fieldOrNull(String key) {
        for (Field f : RunConfig.fields()) {
            if (f.getName().equals(key)) {
                return f;
            }
        }
        return null;
    }

    private static void set(RunConfig config, Field field, JsonElement value, String source) {
        Class<?> type = field.getType();
        String where = source + ": key '" + field.getName() + "'";
        try {
            if (value == null || value.isJsonNull() || !value.isJsonPrimitive()) {
                throw new ConfigException(where + ": expected a " + typeName(type) + ", got " + value);
            }
            JsonPrimitive p = value.getAsJsonPrimitive();
            if (type == int.class || type == long.class) {
                java.math.BigDecimal n = p.isNumber() ? p.getAsBigDecimal() : null;
                if (n == null || n.stripTrailingZeros().scale() > 0) {
                    throw new ConfigException(where + ": expected a whole number, got " + p);
                }
                long max = type == int.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
                long min = type == int.class ? Integer.MIN_VALUE : Long.MIN_VALUE;
                if (n.compareTo(java.math.BigDecimal.valueOf(max)) > 0 || n.compareTo(java.math.BigDecimal.valueOf(min)) < 0) {
                    // checked here, not truncated: 99999999999 epochs must not become 1215752191
                    throw new ConfigException(where + ": " + n.toPlainString() + " is out of range [" + min + ", " + max + "]");
                }
                if (type == int.class) {
                    field.setInt(config, n.intValueExact());
                } else {
                    field.setLong(config, n.longValueExact());
                }
            } else if (type == double.class) {
                if (!p.isNumber()) {
                    throw new ConfigException(where + ": expected a number, got " + p);
                }
                field.setDouble(config, p.getAsDouble());
            } else if (type == boolean.class) {
                if (!p.isBoolean() && !(p.isString() && p.getAsString().matches("true|false"))) {
                    throw new ConfigException(where + ": expected true or false, got " + p);
                }
                field.setBoolean(config, Boolean.parseBoolean(p.getAsString()));
            } else if (type == String.class) {
                List<String> allowed = RunConfig.registeredKeys(field.getName());
                if (allowed != null && !allowed.contains(p.getAsString())) { // a registry's key: named where written
                    throw new ConfigException(source + ": " + field.getName() + ": unknown value '" + p.getAsString()
                            + "' (expected one of " + String.join(", ", allowed) + ")");
                }
                field.set(config, p.getAsString());
            } else if (Choice.class.isAssignableFrom(type)) {
                field.set(config, parseChoice(type, field.getName(), p.getAsString(), source));
            } else {
                throw new IllegalStateException("unsupported config type " + type);
            }
        } catch (IllegalAccessException | NumberFormatException | ArithmeticException e) {
            throw new ConfigException(where + ": cannot use value " + value + " (" + e.getMessage() + ")", e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parseChoice(Class<?> type, String key, String text, String source) {
        try {
            return Choice.parse((Class) type, key, text);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static String typeName(Class<?> type) {
        if (type == int.class || type == long.class) {
            return "whole number";
        }
        if (type == double.class) {
            return "number";
        }
        if (type == boolean.class) {
            return "boolean";
        }
        return "string";
    }

    /** Writes {@link Choice} enums as their keys. */
    private static final class ChoiceAdapterFactory implements TypeAdapterFactory {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> token) {
            Class<?> raw = token.getRawType();
            if (!raw.isEnum() || !Choice.class.isAssignableFrom(raw)) {
                return null;
            }
            return new TypeAdapter<T>() {
                @Override
                public void write(JsonWriter out, T value) throws IOException {
                    out.value(value == null ? null : ((Choice) value).key());
                }

                @Override
                public T read(JsonReader in) throws IOException {
                    return (T) Choice.parse((Class) raw, raw.getSimpleName(), in.nextString());
                }
            };
        }
    }
}
