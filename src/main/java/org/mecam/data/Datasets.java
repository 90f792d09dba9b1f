package org.mecam.data;

import org.mecam.config.ConfigException;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;

/** Loads the dataset a configuration names and checks that it can feed the configured model. */
public final class Datasets {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Datasets.class);

    private Datasets() {}

    /**
     * @throws ConfigException naming the file, split, key and shape when the data cannot be used
     */
    public static MultimodalDataset load(RunConfig c) {
        MultimodalDataset data = DatasetSource.of(c.dataset).load(c);
        data = data.limit(c.datasetLimit);
        if (c.maskNegative) {
            data = NegativeMask.apply(data);
        }
        checkFits(c, data);
        for (String note : data.notes()) {
            // also in each run's config.json (provenance.datasetNotes) and in `data inspect`
            LOG.info("{}: {}", data.info().source(), note);
        }
        return data;
    }

    /** @throws ConfigException if the text mode needs inputs the dataset lacks */
    public static void checkFits(RunConfig c, MultimodalDataset data) {
        MultimodalDataset.Info info = data.info();
        if (c.uses(org.mecam.config.Modality.TEXT) && c.textMode == TextMode.FEATURES && !info.hasTextFeatures()) {
            throw new ConfigException("textMode=features, but " + info.source() + " has no text features");
        }
        if (c.uses(org.mecam.config.Modality.TEXT) && c.textMode != TextMode.FEATURES && !info.hasTextIds()) {
            throw new ConfigException("textMode=" + c.textMode.key() + " needs token ids, but " + info.source()
                    + " has none (MMSA: key text_bert; MulT: pass --vocab to tokenise the CSV text)");
        }
        if (c.fusionKind().needsAlignedLengths() && !info.aligned()) {
            throw new ConfigException("fusion=" + c.fusion + " needs aligned data (one audio and vision frame per token); "
                    + info.source() + " is unaligned");
        }
        for (Split s : data.splits()) {
            if (s.size() == 0) {
                throw new ConfigException(info.source() + ": split '" + s.name + "' is empty");
            }
        }
    }
}
