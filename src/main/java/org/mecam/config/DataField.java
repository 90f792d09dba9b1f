package org.mecam.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a configuration value that decides the data a run loads although its {@link Doc#group()}
 * is not {@code "data"}: {@code textMode}, which decides whether token ids are built. The options
 * of the "data" group and the values marked so, in declaration order, are the key under which
 * the runs of a grid share loaded data within a process.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface DataField {}
