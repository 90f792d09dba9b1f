/**
 * MECAM's blocks (docs/METHOD.md, "Model"): the text, audio and vision encoders, the
 * intra-modality contrastive filter, the MMILB mutual-information terms, talking-heads
 * cross-attention and the regression head, and {@link org.mecam.model.MecamModel} which wires
 * them from {@link org.mecam.config.ModelSettings}, which {@link org.mecam.config.RunConfig#model()} derives.
 *
 * <p>Every constant that enters a differentiable computation is created natively ({@link
 * org.mecam.model.Ops#scalar}): DJL's {@code NDArray.mul(Number)} family wraps a Java buffer
 * that is freed before backward reads it.
 */
package org.mecam.model;
