package org.mecam.model;

import org.mecam.config.FusionKind;

/**
 * A fusion variant: its key and constraints ({@link FusionKind}) and the blocks it adds to a
 * {@link MecamModel}. One class per variant, registered in
 * {@code META-INF/services/org.mecam.config.FusionKind}.
 */
public interface FusionVariant extends FusionKind {

    /**
     * Adds the variant's blocks to the model, after the model's encoders, filters and MI
     * estimators (the order fixes the parameters' initialisation and checkpoint names).
     *
     * @return the fusion step of one model
     */
    FusionStep build(FusionContext context);

    /** @return the variant of {@code key} (every registered fusion kind is a variant) */
    static FusionVariant of(String key) {
        return (FusionVariant) FusionKind.of(key);
    }
}
