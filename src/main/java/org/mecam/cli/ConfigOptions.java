package org.mecam.cli;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.mecam.config.Choice;
import org.mecam.config.ConfigJson;
import org.mecam.config.Doc;
import org.mecam.config.RunConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Adds one option per {@link RunConfig} value to a command ({@code lrMain} becomes {@code
 * --lr-main}) and applies the ones given on top of a config file or the defaults.
 */
final class ConfigOptions {

    private ConfigOptions() {}

    /** Adds the options to {@code spec}. */
    static void addTo(CommandSpec spec) {
        addTo(spec, null);
    }

    /** Adds the options of the given {@link Doc#group()}s (all when null) to {@code spec}. */
    static void addTo(CommandSpec spec, java.util.Set<String> groups) {
        RunConfig defaults = new RunConfig();
        for (Field f : RunConfig.fields()) {
            Doc doc = f.getAnnotation(Doc.class);
            if (groups != null && (doc == null || !groups.contains(doc.group()))) {
                continue;
            }
            String description = (doc == null ? f.getName() : doc.value()) + " (default: " + defaultText(f, defaults) + ")";
            OptionSpec.Builder b = OptionSpec.builder("--" + ConfigJson.kebab(f.getName()))
                    .type(String.class)
                    .paramLabel(label(f))
                    .description(description);
            if (f.getType() == boolean.class) {
                b.arity("0..1").fallbackValue("true");
            }
            spec.addOption(b.build());
            if (f.getType() == boolean.class) {
                // every boolean option: --x or --x true turns it on, --no-x or --x false off (README, "Options")
                spec.addOption(OptionSpec.builder(negated(f.getName())).arity("0").type(boolean.class)
                        .description("same as --" + ConfigJson.kebab(f.getName()) + " false").build());
            }
        }
    }

    /**
     * @param base a config file or built-in name, or null for the defaults
     * @return the base config with every option given on the command line applied
     */
    static RunConfig resolve(CommandSpec spec, String base) {
        RunConfig config = base == null ? new RunConfig() : ConfigJson.load(base);
        ParseResult parsed = spec.commandLine().getParseResult();
        for (Field f : RunConfig.fields()) {
            String name = "--" + ConfigJson.kebab(f.getName());
            boolean given = spec.findOption(name) != null && parsed.hasMatchedOption(name);
            if (given) {
                ConfigJson.setFromString(config, f.getName(), parsed.matchedOptionValue(name, (String) null));
            }
            if (f.getType() == boolean.class && spec.findOption(negated(f.getName())) != null
                    && parsed.hasMatchedOption(negated(f.getName()))) {
                if (given) {
                    throw new org.mecam.config.ConfigException(name + " and " + negated(f.getName())
                            + " contradict each other: give one");
                }
                ConfigJson.setFromString(config, f.getName(), "false");
            }
        }
        return config;
    }

    private static String negated(String field) {
        return "--no-" + ConfigJson.kebab(field);
    }

    private static String label(Field f) {
        java.util.List<String> registered = RunConfig.registeredKeys(f.getName());
        if (registered != null) {
            return String.join("|", registered);
        }
        if (Choice.class.isAssignableFrom(f.getType())) {
            return Arrays.stream(f.getType().getEnumConstants()).map(c -> ((Choice) c).key())
                    .collect(Collectors.joining("|"));
        }
        if (f.getType() == boolean.class) {
            return "true|false";
        }
        if (f.getType() == int.class || f.getType() == long.class) {
            return "N";
        }
        return f.getType() == double.class ? "X" : "TEXT";
    }

    private static String defaultText(Field f, RunConfig defaults) {
        try {
            Object v = f.get(defaults);
            String text = String.valueOf(v);
            return text.isEmpty() ? "none" : text;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
