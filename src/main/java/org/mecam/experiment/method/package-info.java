/**
 * The learners a run can train ({@code --method}), one class each, registered in {@code
 * META-INF/services/org.mecam.config.MethodKind}: MECAM (the neural model of docs/METHOD.md
 * and its variants) and the Tribuo baselines on mean-pooled features.
 */
package org.mecam.experiment.method;
