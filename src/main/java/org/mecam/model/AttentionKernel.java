package org.mecam.model;

import ai.djl.nn.Block;
import java.util.List;

/**
 * How the talking-heads cross-attention is computed (config key {@code attentionKernel}); both
 * compute the same function, in a different order, so they differ in the last bits only.
 *
 * <ul>
 *   <li>{@code direct}: as METHOD.md writes it, op by op: queries, keys and values per head, the
 *       logits {@code q k^T}, the pre-softmax head mixing, the softmax, the post-softmax mixing,
 *       dropout, the context {@code weights v}, the output projection of every frame, and the
 *       masked mean over frames. Every run made before the key existed (2026-12-04) used it.
 *   <li>{@code factored} (the default; {@code MECAM_ATTENTION_KERNEL} changes it): the same
 *       products, reassociated so that the large [B, h, Lm, Lt] arrays meet only what they must.
 *       The query projection and the pre-softmax mixing are linear, so they fold into the keys:
 *       {@code sum_h P[h,g] s (x Wq_h + bq_h) k_h^T = [x, 1] G_g} with the small
 *       {@code G_g = s sum_h P[h,g] [Wq_h; bq_h] k_h^T} ([dm + 1, Lt] per sample), and the text
 *       padding's bias is added to G's bias row. The value projection, the output projection and the
 *       masked mean over frames are linear after dropout, so the fused vector is
 *       {@code sum_{g,j} r[g,j] (v_g Wo_g)[j] + bo} with {@code r} the masked mean over frames of
 *       the (mixed, dropped) weights. In evaluation, where dropout is the identity, the post-softmax
 *       mixing moves after that mean too. The bidirectional text residual is reassociated the same
 *       way. On the unaligned MOSI shapes (500 frames, 8 heads of 64, frames of width 16) this
 *       removes the [B, Lm, 512] query and context arrays and every product with the head width.
 * </ul>
 *
 * <p>A model computes {@code direct} until {@link MecamModel#attentionKernel(String)} says
 * otherwise; a run sets the mode of its config.
 */
public final class AttentionKernel {

    public static final String FACTORED = "factored";
    public static final String DIRECT = "direct";
    /** The config key's values. */
    public static final List<String> MODES = List.of(FACTORED, DIRECT);
    /** What a run's config.json without the key (written before the key existed) was computed with. */
    public static final String LEGACY = DIRECT;

    private AttentionKernel() {}

    /** @return the config key's default: {@code MECAM_ATTENTION_KERNEL} as given (checked by validation), else factored */
    public static String configDefault() {
        return org.mecam.config.RuntimeModes.envDefault("MECAM_ATTENTION_KERNEL", FACTORED);
    }

    /** @return {@code mode}, checked */
    static String check(String mode) {
        return org.mecam.config.RuntimeModes.check(mode, MODES, "attentionKernel");
    }

    /** Sets the mode of every {@link TalkingHeadsCrossAttention} under {@code root}. */
    static void bind(Block root, String mode) {
        if (root instanceof TalkingHeadsCrossAttention) {
            ((TalkingHeadsCrossAttention) root).kernel(mode);
        }
        for (Block child : root.getChildren().values()) {
            bind(child, mode);
        }
    }
}
