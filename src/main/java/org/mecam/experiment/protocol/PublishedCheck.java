package org.mecam.experiment.protocol;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mecam.config.ConfigException;
import org.mecam.config.ConfigJson;
import org.mecam.config.Modality;
import org.mecam.config.Positives;
import org.mecam.config.RunConfig;
import org.mecam.config.TextMode;
import org.mecam.data.Datasets;
import org.mecam.data.MultimodalDataset;
import org.mecam.data.batch.Batch;
import org.mecam.data.batch.BatchBuilder;
import org.mecam.data.io.Npy;
import org.mecam.engine.Devices;
import org.mecam.engine.NativeRuntime;
import org.mecam.engine.NoGrad;
import org.mecam.experiment.run.Provenance;
import org.mecam.model.ContrastTargets;
import org.mecam.model.EntropyMemory;
import org.mecam.model.EntropyTerm;
import org.mecam.model.IntraModalContrastiveLoss;
import org.mecam.model.MecamModel;
import org.mecam.model.Mmilb;
import org.mecam.model.ModalityPair;
import org.mecam.train.Checkpoint;

/**
 * Exports what a check of the kit's published-mode loss terms against the published PyTorch code
 * needs (docs/METHOD.md, "Checked against the published code"; {@code scripts/published-check.py}
 * reads it): for one batch and fixed weights, the inputs of the contrastive filter, of MMILB's lld
 * and of the entropy term, their weights under the published code's parameter names, and the
 * kit's value of each term.
 *
 * <p>The model is built from a configuration in published mode (positives {@code exact}, self
 * kept; tau, w and k as configured: 0.03, 0.8, 0.2 by default) and initialised with the
 * configuration's seed. The batch is the first {@code 2 x batchSize} training samples in order:
 * the first half is the previous batch (it fills the entropy term's one-batch memory), the second
 * the batch whose terms are exported. Nothing trains; dropout is off.
 *
 * <p>The folder holds one float32 {@code .npy} per array and {@code manifest.json}:
 * <ul>
 *   <li>{@code labels.npy}, {@code labels_previous.npy} [B], {@code labels_class7.npy} [B] (the
 *       labels rounded to the 7 classes, which give the published code's "equal labels" mask the
 *       kit's {@code class7} positives);
 *   <li>{@code h_<m>.npy}, {@code h_<m>_previous.npy} [B, d_m]: each modality's encoder output,
 *       the input of its contrastive filter and of MMILB;
 *   <li>{@code contrast_<m>.align_dim.weight.npy} [c, d_m] and {@code .bias.npy} [c] (zeros): the
 *       kit's projection W_m under the name of the published {@code IntraModalityCL}'s layer;
 *   <li>{@code mmilb_<xy>.<published parameter>.npy}: each MMILB pair's weights under the
 *       published {@code MMILB}'s state-dict names ({@code mlp_mu.0.weight}, ...,
 *       {@code entropy_prj.0.bias});
 *   <li>{@code manifest.json}: the configuration, the batch, the kit's commit, and the kit's
 *       values: per contrastive case (published; class-7 positives with self kept; published at
 *       {@link #EXTRA_TAUS}) each modality's L_m and nce = k sum_m L_m, and per MMILB pair its lld
 *       and H with their sums.
 * </ul>
 */
public final class PublishedCheck {

    /**
     * Temperatures at which the contrastive filter is exported besides the configured one: at the
     * published 0.03 with self kept the loss is nearly inert (nce about 0.01 at initialisation on a
     * mosi batch, METHOD.md),
     * so its formula is also compared where its value is of order 1.
     */
    public static final double[] EXTRA_TAUS = {0.3, 1.0};

    private static final Pattern MMILB_PARAMETER = Pattern.compile("^\\d+(mu|logvar|entropyProjection)_(\\d+)Linear_(weight|bias)$");

    private PublishedCheck() {}

    /**
     * {@code java -cp target/mecam.jar org.mecam.experiment.protocol.PublishedCheck --out DIR
     * [--config mosi|tiny|FILE.json] [key=value ...]}: exports into DIR (created; files in it are
     * replaced) and prints the kit's values.
     */
    public static void main(String[] args) throws IOException {
        Path out = null;
        String config = "mosi";
        List<String> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else if (args[i].equals("--config") && i + 1 < args.length) {
                config = args[++i];
            } else if (args[i].contains("=") && !args[i].startsWith("-")) {
                overrides.add(args[i]);
            } else {
                System.err.println("usage: PublishedCheck --out DIR [--config mosi|tiny|FILE.json] [key=value ...]");
                System.exit(2);
            }
        }
        if (out == null) {
            System.err.println("usage: PublishedCheck --out DIR [--config mosi|tiny|FILE.json] [key=value ...]");
            System.exit(2);
        }
        RunConfig c = ConfigJson.load(config);
        for (String o : overrides) {
            int eq = o.indexOf('=');
            ConfigJson.setFromString(c, o.substring(0, eq), o.substring(eq + 1));
        }
        Map<String, Double> values = export(c, out);
        values.forEach((k, v) -> System.out.printf("%-28s %.9g%n", k, v));
        System.out.println(out.toAbsolutePath());
    }

    /**
     * Exports the published-mode terms of {@code config} (positives and self-exclusion are set to
     * the published form; everything else as given) into {@code out}.
     *
     * @return the kit's values by name, in the order of the manifest (e.g. {@code contrastive_t},
     *     {@code contrastive}, {@code lld_tv}, {@code lld}, {@code entropy_tv}, {@code entropy})
     * @throws ConfigException if the configuration has no contrastive filter or no MMILB pair, or
     *     the training split has fewer than two batches
     */
    public static Map<String, Double> export(RunConfig config, Path out) throws IOException {
        RunConfig c = config.copy();
        c.positives = Positives.EXACT;
        c.excludeSelf = false;
        c.validate();
        NativeRuntime.start(c.threads, c.mklKernels, c.lstmKernel);
        MultimodalDataset data = Datasets.load(c);
        int b = c.batchSize;
        if (data.train().size() < 2 * b) {
            throw new ConfigException("published check: the training split has " + data.train().size()
                    + " samples, fewer than two batches of " + b);
        }
        Files.createDirectories(out);
        Map<String, Object> manifest = new LinkedHashMap<>();
        Map<String, Double> flat = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(c.device))) {
            Engine.getInstance().setRandomSeed((int) c.seed);
            MecamModel model = MecamModel.create(c.model(), data.info(), manager);
            export(c, data, model, manager, out, manifest, flat);
        }
        manifest.put("values", flat);
        Files.writeString(out.resolve("manifest.json"), ConfigJson.GSON.toJson(manifest) + "\n", StandardCharsets.UTF_8);
        return flat;
    }

    private static void export(RunConfig c, MultimodalDataset data, MecamModel model, NDManager manager, Path out,
            Map<String, Object> manifest, Map<String, Double> flat) throws IOException {
        int b = c.batchSize;
        try (NoGrad ignored = NoGrad.enter()) {
            if (!model.hasContrastiveFilter() || !model.hasMutualInformation()) {
                throw new ConfigException("published check: the configuration needs the contrastive filter (alpha > 0)"
                        + " and MMILB (beta > 0, two or more modalities)");
            }
            ParameterStore ps = new ParameterStore(manager, false);
            BatchBuilder builder = new BatchBuilder(data.train(), c.textMode != TextMode.FEATURES, null);
            try (Batch previous = builder.build(manager, range(0, b)); Batch current = builder.build(manager, range(b, 2 * b))) {
                MecamModel.Encoded encPrevious = model.encode(ps, previous, false);
                MecamModel.Encoded enc = model.encode(ps, current, false);
                manifest.put("kit", ordered("gitCommit", Provenance.gitCommit(), "versions", Provenance.versions()));
                manifest.put("config", ConfigJson.GSON.fromJson(ConfigJson.toJson(c), Map.class));
                manifest.put("batch", ordered("split", "train", "size", b, "previous", List.of(0, b), "current", List.of(b, 2 * b)));
                writeLabels(out, current, previous);
                List<String> modalities = new ArrayList<>();
                for (Modality m : c.model().modalityList()) {
                    modalities.add(String.valueOf(m.code()));
                    write(out, "h_" + m.code(), enc.vector(m));
                    write(out, "h_" + m.code() + "_previous", encPrevious.vector(m));
                    NDArray w = projection(model.contrastFilter(m));
                    write(out, "contrast_" + m.code() + ".align_dim.weight", w);
                    write(out, "contrast_" + m.code() + ".align_dim.bias", manager.zeros(new Shape(w.getShape().get(0))));
                }
                manifest.put("modalities", modalities);
                manifest.put("contrastScale", c.contrastScale);
                manifest.put("contrastive", contrastive(c, model, ps, manager, current, enc, flat));
                manifest.put("pairs", mutualInformation(model, ps, manager, previous, current, encPrevious, enc, out, flat));
            }
        }
    }

    /** The contrastive cases: the published form, class-7 positives with self kept, and the published form at other temperatures. */
    private static List<Map<String, Object>> contrastive(RunConfig c, MecamModel model, ParameterStore ps, NDManager manager,
            Batch batch, MecamModel.Encoded enc, Map<String, Double> flat) {
        List<Map<String, Object>> cases = new ArrayList<>();
        Map<Modality, NDArray> parts = new LinkedHashMap<>();
        NDArray nce = model.contrastive(ps, batch, enc, false, parts); // the kit's term itself
        cases.add(contrastCase("published", c.tau, c.negWeight, "labels", parts, nce, "", flat));
        ContrastTargets class7 = ContrastTargets.of(manager, batch.labelValues, Positives.CLASS7, false, c.negWeight);
        cases.add(recompute(c, model, ps, manager, enc, c.tau, class7, "class-7 positives, self kept", "labels_class7",
                "_class7", flat));
        ContrastTargets exact = model.contrastTargets(batch);
        for (double tau : EXTRA_TAUS) {
            cases.add(recompute(c, model, ps, manager, enc, tau, exact, "published at tau " + tau, "labels",
                    "_tau" + tau, flat));
        }
        return cases;
    }

    /** The filter's value with the model's projections at another temperature or with other targets. */
    private static Map<String, Object> recompute(RunConfig c, MecamModel model, ParameterStore ps, NDManager manager,
            MecamModel.Encoded enc, double tau, ContrastTargets targets, String name, String labels, String suffix,
            Map<String, Double> flat) {
        Map<Modality, NDArray> parts = new LinkedHashMap<>();
        NDArray sum = null;
        for (Modality m : c.model().modalityList()) {
            NDArray h = enc.vector(m);
            IntraModalContrastiveLoss block = IntraModalContrastiveLoss.create(c.contrastDim, tau);
            block.initialize(manager, DataType.FLOAT32, h.getShape());
            NDArray w = projection(model.contrastFilter(m));
            Checkpoint.assign(projection(block), w.toFloatArray());
            NDArray loss = block.loss(ps, h, targets, false).head();
            parts.put(m, loss);
            sum = sum == null ? loss : sum.add(loss);
        }
        NDArray nce = sum.mul(manager.create((float) c.contrastScale));
        return contrastCase(name, tau, c.negWeight, labels, parts, nce, suffix, flat);
    }

    private static Map<String, Object> contrastCase(String name, double tau, double negWeight, String labels,
            Map<Modality, NDArray> parts, NDArray nce, String suffix, Map<String, Double> flat) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("tau", tau);
        out.put("negWeight", negWeight);
        out.put("labels", labels);
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<Modality, NDArray> e : parts.entrySet()) {
            double v = e.getValue().getFloat();
            values.put(String.valueOf(e.getKey().code()), v);
            flat.put("contrastive_" + e.getKey().code() + suffix, v);
        }
        out.put("values", values);
        out.put("nce", (double) nce.getFloat());
        flat.put("contrastive" + suffix, (double) nce.getFloat());
        return out;
    }

    /** Each MMILB pair's weights, lld and H (H with the previous batch in the memory), and the sums as the objective computes them. */
    private static List<Map<String, Object>> mutualInformation(MecamModel model, ParameterStore ps, NDManager manager,
            Batch previous, Batch current, MecamModel.Encoded encPrevious, MecamModel.Encoded enc, Path out,
            Map<String, Double> flat) throws IOException {
        List<Map<String, Object>> pairs = new ArrayList<>();
        try (EntropyMemory perPair = new EntropyMemory(manager); EntropyMemory all = new EntropyMemory(manager)) {
            for (ModalityPair pair : model.pairs()) {
                model.entropy(ps, previous, encPrevious, perPair, false, pair); // fills the memory, no value yet
            }
            model.entropy(ps, previous, encPrevious, all, false);
            for (ModalityPair pair : model.pairs()) {
                Mmilb block = model.mmilb(pair);
                for (Pair<String, Parameter> p : block.getParameters()) {
                    write(out, "mmilb_" + pair.key() + "." + publishedName(p.getKey()), p.getValue().getArray());
                }
                double lld = block.forward(ps, new NDList(enc.vector(pair.x()), enc.vector(pair.y())), false).head().getFloat();
                EntropyTerm.Sum h = model.entropy(ps, current, enc, perPair, false, pair);
                double entropy = h == null || h.used().getFloat() == 0 ? Double.NaN : h.value().getFloat();
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("pair", pair.key());
                p.put("x", String.valueOf(pair.x().code()));
                p.put("y", String.valueOf(pair.y().code()));
                p.put("lld", lld);
                p.put("entropy", entropy);
                pairs.add(p);
                flat.put("lld_" + pair.key(), lld);
                flat.put("entropy_" + pair.key(), entropy);
            }
            flat.put("lld", (double) model.lld(ps, enc, false).getFloat());
            EntropyTerm.Sum h = model.entropy(ps, current, enc, all, false);
            flat.put("entropy", h == null ? Double.NaN : h.value().getFloat());
        }
        return pairs;
    }

    /** @return the published {@code MMILB}'s state-dict name of one of the kit's Mmilb parameters */
    static String publishedName(String kitName) {
        Matcher m = MMILB_PARAMETER.matcher(kitName);
        if (!m.matches()) {
            throw new IllegalStateException("unexpected MMILB parameter " + kitName);
        }
        String module = m.group(1).equals("mu") ? "mlp_mu" : m.group(1).equals("logvar") ? "mlp_logvar" : "entropy_prj";
        // DJL numbers a SequentialBlock's children from 1, torch's nn.Sequential from 0
        return module + "." + (Integer.parseInt(m.group(2)) - 1) + "." + m.group(3);
    }

    private static NDArray projection(Block filter) {
        ai.djl.nn.ParameterList params = filter.getParameters();
        if (params.size() != 1) {
            throw new IllegalStateException("the contrastive filter should have one weight, has " + params.size());
        }
        return params.get(0).getValue().getArray();
    }

    private static void writeLabels(Path out, Batch current, Batch previous) throws IOException {
        float[] labels = current.labelValues;
        float[] class7 = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            class7[i] = ContrastTargets.class7(labels[i]);
        }
        write(out, "labels", new long[] {labels.length}, labels);
        write(out, "labels_previous", new long[] {previous.labelValues.length}, previous.labelValues);
        write(out, "labels_class7", new long[] {class7.length}, class7);
    }

    private static void write(Path out, String name, NDArray a) throws IOException {
        write(out, name, a.getShape().getShape(), a.toType(DataType.FLOAT32, false).toFloatArray());
    }

    private static void write(Path out, String name, long[] shape, float[] data) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out.resolve(name + ".npy")))) {
            Npy.writeFloat32(os, shape, data);
        }
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = i;
        }
        return out;
    }
}
