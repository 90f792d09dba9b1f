package org.mecam.data.synthetic;

import org.mecam.config.Preset;
import org.mecam.config.RunConfig;
import org.mecam.data.DatasetSource;
import org.mecam.data.MultimodalDataset;

/** {@code synthetic}: the embedded generator, whose negative information is known per sample. */
public class SyntheticSource implements DatasetSource {

    @Override
    public String key() {
        return "synthetic";
    }

    @Override
    public String description() {
        return "the embedded synthetic generator (--preset, sizes, --negative-fraction, --undetectable-share)";
    }

    @Override
    public String label(RunConfig c) {
        return c.preset.key();
    }

    @Override
    public MultimodalDataset load(RunConfig c) {
        if (c.preset == Preset.COMPLEMENTARY) {
            return new ComplementaryGenerator(SyntheticSpec.of(c), c.undetectableShare).generate();
        }
        return new SyntheticGenerator(SyntheticSpec.of(c)).generate();
    }
}
