/**
 * The run configuration: one flat set of named values (every value is a command-line option and
 * a key of {@code config.json}), the choice types it uses, JSON reading and writing, and
 * validation with messages that name the offending key.
 */
package org.mecam.config;
