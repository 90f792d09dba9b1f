package org.mecam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mecam.config.ConfigException;
import org.mecam.config.RunConfig;
import picocli.CommandLine.Model.CommandSpec;

/** Every boolean option reads the same way: --x or --x true turns it on, --no-x or --x false off. */
class BooleanOptionsTest {

    /** @return the spec of {@code command} after parsing {@code mecam command args} */
    private static CommandSpec parse(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.commandLine().parseArgs(all).subcommand().commandSpec();
    }

    private static CommandSpec train(String... args) {
        return parse("train", args);
    }

    @Test
    void configBooleansTakeEveryForm() {
        RunConfig c = ConfigOptions.resolve(train("--no-tensorboard", "--diagnostics=false", "--exclude-self", "false",
                "--mask-negative"), null);
        assertFalse(c.tensorboard);
        assertFalse(c.diagnostics);
        assertFalse(c.excludeSelf);
        assertTrue(c.maskNegative);
        RunConfig d = ConfigOptions.resolve(train("--tensorboard", "true", "--no-mask-negative"), null);
        assertTrue(d.tensorboard);
        assertFalse(d.maskNegative);
        assertEquals(new RunConfig().diagnostics, ConfigOptions.resolve(train(), null).diagnostics, "untouched: the default");
        ConfigException both = assertThrows(ConfigException.class,
                () -> ConfigOptions.resolve(train("--tensorboard", "--no-tensorboard"), null));
        assertTrue(both.getMessage().contains("--tensorboard and --no-tensorboard"), both.getMessage());
    }

    @Test
    void commandFlagsAreNegatableToo() {
        CommandSpec ablate = parse("ablate", "--grid", "smoke", "--no-report", "--no-wait");
        assertFalse((Boolean) ablate.findOption("--report").getValue());
        assertFalse((Boolean) ablate.findOption("--wait").getValue());
        assertTrue((Boolean) parse("ablate", "--grid", "smoke").findOption("--report").getValue(), "reports by default");
        assertTrue((Boolean) parse("ablate", "--grid", "smoke", "--report").findOption("--report").getValue());
        assertFalse((Boolean) train("--no-quiet").findOption("--quiet").getValue());
        assertTrue((Boolean) train("--quiet").findOption("--quiet").getValue());
    }
}
