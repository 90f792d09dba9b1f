package org.mecam.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Describes a configuration value; the text is the option's help line. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Doc {
    String value();

    /** The option's section in {@code --help}. */
    String group() default "";
}
