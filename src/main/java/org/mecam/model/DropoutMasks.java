package org.mecam.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.mecam.engine.NativeArrays;

/**
 * Where a model's dropout masks come from (config key {@code dropoutMasks}).
 *
 * <ul>
 *   <li>{@code libtorch}: libtorch's dropout, whose {@code bernoulli_} draws the mask from the
 *       engine's generator (seeded by the run). On AMD CPUs libtorch draws two 32-bit
 *       Mersenne-twister numbers per element, serially: on the unaligned shapes about a fifth of a
 *       training step here. Every run made before the key existed (2026-12-04) used it.
 *   <li>{@code kit}: a counter-based stream of the run's own (SplitMix64 of a counter keyed by
 *       the seed and the rate): element {@code i} of the stream of rate {@code p} is kept when
 *       its 24-bit draw is below {@code floor((1 - p) 2^24)}, and then scaled by {@code 1 / (1 - p)}
 *       in float, as libtorch scales. A dropout site takes the next {@code n} elements of its
 *       rate's stream, so its mask depends only on the seed and on how many elements came before:
 *       the masks are made ahead, in chunks, on a second thread where the machine has a core to
 *       spare ({@link #aheadDefault(int)}), or inline, with the same values either way. The output is
 *       {@code x * mask}, as libtorch computes it; only the masks differ from {@code libtorch}.
 *   <li>{@code auto} (the default; {@code MECAM_DROPOUT_MASKS} changes it): {@code kit} on the
 *       CPU, {@code libtorch} on a GPU (whose fused dropout costs little, and where masks from the
 *       host would add a copy that waits for the device). A run records the mode it resolved.
 * </ul>
 *
 * <p>One instance per model, bound to its dropout sites when the model is built; a model is
 * {@code libtorch} until {@link #use} says otherwise.
 */
public final class DropoutMasks implements AutoCloseable {

    public static final String AUTO = "auto";
    public static final String KIT = "kit";
    public static final String LIBTORCH = "libtorch";
    /** The config key's values. */
    public static final List<String> MODES = List.of(AUTO, KIT, LIBTORCH);
    /** What a run's config.json without the key (written before the key existed) was computed with. */
    public static final String LEGACY = LIBTORCH;
    /** The most elements in a chunk of a stream (16 MiB of float32). */
    static final int CHUNK = 1 << 22;
    /** The fewest elements in a chunk of a stream (256 KiB of float32). */
    static final int MIN_CHUNK = 1 << 16;
    /** Chunks made ahead of use by the second thread. */
    private static final int DEPTH = 2;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private String mode = LIBTORCH;
    private long seed;
    private boolean ahead;
    private int minChunk = MIN_CHUNK;
    private int maxChunk = CHUNK;
    private final Map<Integer, Stream> streams = new HashMap<>();

    /** @return the config key's default: {@code MECAM_DROPOUT_MASKS} as given (checked by validation), else auto */
    public static String configDefault() {
        return org.mecam.config.RuntimeModes.envDefault("MECAM_DROPOUT_MASKS", AUTO);
    }

    /** @return {@code mode} with {@code auto} resolved for {@code device} */
    public static String resolve(String mode, Device device) {
        org.mecam.config.RuntimeModes.check(mode, MODES, "dropoutMasks");
        if (!AUTO.equals(mode)) {
            return mode;
        }
        return device != null && device.isGpu() ? LIBTORCH : KIT;
    }

    /**
     * Whether kit masks are made on a second thread by default: when the machine has more cores
     * than libtorch's intra-op threads, unless {@code -Dmecam.dropoutMasks.ahead=false} (grid
     * workers set it: their grid gives each core a worker). The values do not depend on it.
     */
    public static boolean aheadDefault(int intraOpThreads) {
        String p = System.getProperty("mecam.dropoutMasks.ahead");
        if (p != null) {
            return Boolean.parseBoolean(p);
        }
        return Runtime.getRuntime().availableProcessors() > Math.max(1, intraOpThreads);
    }

    /**
     * Chooses the masks from here on (a run calls it once, before training).
     *
     * @param mode {@code kit} or {@code libtorch} (resolved, see {@link #resolve})
     * @param seed the run's seed (kit masks)
     * @param ahead make kit masks on a second thread
     */
    public synchronized void use(String mode, long seed, boolean ahead) {
        if (!KIT.equals(mode) && !LIBTORCH.equals(mode)) {
            throw new IllegalArgumentException("dropout masks: kit or libtorch, got '" + mode + "'");
        }
        closeStreams();
        this.mode = mode;
        this.seed = seed;
        this.ahead = ahead;
    }

    /** Every chunk of {@code elements} elements (tests: small chunks make sites span them). */
    synchronized void chunkSize(int elements) {
        if (elements < 2 || elements % 2 != 0) {
            throw new IllegalArgumentException("chunks hold an even number of elements (two per draw); got " + elements);
        }
        closeStreams();
        this.minChunk = elements;
        this.maxChunk = elements;
    }

    /** @return kit or libtorch */
    public synchronized String mode() {
        return mode;
    }

    /** @return whether kit masks are made on a second thread */
    public synchronized boolean ahead() {
        return ahead;
    }

    /**
     * The mask of one dropout site in training: {@code shape.size()} elements of the stream of
     * {@code rate}, each {@code 1 / (1 - rate)} or 0, attached to {@code m}.
     */
    synchronized NDArray next(NDManager m, Shape shape, float rate) {
        Stream s = streams.computeIfAbsent(Float.floatToIntBits(rate),
                k -> new Stream(rate, key(seed, rate), minChunk, maxChunk, ahead, m.getDevice()));
        return s.take(m, shape);
    }

    /** @return the stream key of a seed and a rate */
    static long key(long seed, float rate) {
        return mix(mix(seed) ^ (Float.floatToIntBits(rate) * GOLDEN));
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** @return {@code 1 / (1 - rate)} in float, as libtorch's dropout divides its float mask by {@code 1 - p} */
    static float scale(float rate) {
        return 1f / (float) (1.0 - rate);
    }

    /** @return the largest 24-bit draw (exclusive) that keeps an element: {@code floor((1 - rate) 2^24)} */
    static int threshold(float rate) {
        return (int) Math.floor((1.0 - rate) * (1 << 24));
    }

    /**
     * Fills {@code out} with the elements {@code first, first + 1, ...} of a stream (first even).
     * Element {@code i} uses bits 40-63 (i even) or 8-31 (i odd) of {@code mix(key + (i / 2) * GOLDEN)}.
     */
    static void fill(float[] out, long key, long first, float rate) {
        int keep = threshold(rate);
        float scale = scale(rate);
        long word = first >>> 1;
        int n = out.length;
        int j = 0;
        for (; j + 1 < n; j += 2, word++) {
            long r = mix(key + word * GOLDEN);
            out[j] = (int) (r >>> 40) < keep ? scale : 0f;
            out[j + 1] = (int) ((r >>> 8) & 0xffffff) < keep ? scale : 0f;
        }
        if (j < n) {
            long r = mix(key + word * GOLDEN);
            out[j] = (int) (r >>> 40) < keep ? scale : 0f;
        }
    }

    @Override
    public synchronized void close() {
        closeStreams();
    }

    private void closeStreams() {
        streams.values().forEach(Stream::close);
        streams.clear();
    }

    /**
     * One rate's stream: chunks in order, made inline or ahead on a thread of its own. A chunk
     * holds twice the largest mask asked for so far (at least {@link #MIN_CHUNK} elements, at most
     * the stream's maximum), so that a small model does not make megabytes of masks it never uses;
     * the sizes do not change the values, which depend on the position in the stream only.
     */
    private static final class Stream {
        private final float rate;
        private final long key;
        private final int minChunk;
        private final int maxChunk;
        private final Device device;
        private final NDManager home;
        private final BlockingQueue<Chunk> made;
        private final Thread maker;
        private Chunk current;
        private long nextStart; // first element of the next chunk made inline
        private int used; // elements of current already taken
        private volatile int wanted; // the size of the chunks to make from now on
        private volatile RuntimeException failure;
        private float[] values; // reused: only one thread makes this stream's chunks

        Stream(float rate, long key, int minChunk, int maxChunk, boolean ahead, Device device) {
            this.rate = rate;
            this.key = key;
            this.minChunk = minChunk;
            this.maxChunk = maxChunk;
            this.wanted = minChunk;
            this.device = device;
            this.home = NDManager.newBaseManager(Device.cpu());
            if (ahead) {
                made = new ArrayBlockingQueue<>(DEPTH);
                maker = new Thread(this::makeAhead, "dropout-masks-" + rate);
                maker.setDaemon(true);
                maker.start();
            } else {
                made = null;
                maker = null;
            }
        }

        private void makeAhead() {
            try {
                long start = 0;
                while (true) {
                    Chunk c = make(start, wanted);
                    start += c.size;
                    made.put(c);
                }
            } catch (InterruptedException e) {
                // closed
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        private Chunk make(long start, int size) {
            if (values == null || values.length != size) {
                values = new float[size];
            }
            fill(values, key, start, rate);
            NDArray onHost = NativeArrays.filled(home, values, new Shape(size));
            if (device.isGpu()) {
                NDArray there = onHost.toDevice(device, false);
                onHost.close();
                return new Chunk(there, size);
            }
            return new Chunk(onHost, size);
        }

        private Chunk nextChunk() {
            if (made == null) {
                Chunk c = make(nextStart, wanted);
                nextStart += c.size;
                return c;
            }
            try {
                while (true) {
                    Chunk c = made.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                    if (c != null) {
                        return c;
                    }
                    if (failure != null) {
                        throw new IllegalStateException("dropout masks: the thread making them failed", failure);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for dropout masks", e);
            }
        }

        NDArray take(NDManager m, Shape shape) {
            long n = shape.size();
            long twice = Math.min(maxChunk, Math.max(minChunk, 2 * n));
            if (twice > wanted) {
                wanted = (int) (twice + (twice & 1));
            }
            NDList parts = new NDList();
            long left = n;
            while (left > 0) {
                if (current == null || used == current.size) {
                    if (current != null) {
                        current.array.close(); // the masks taken from it keep its memory until they are closed
                    }
                    current = nextChunk();
                    used = 0;
                }
                int take = (int) Math.min(left, current.size - used);
                parts.add(current.array.get(new NDIndex().addSliceDim(used, used + take)));
                used += take;
                left -= take;
            }
            NDArray flat = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
            NDArray mask = flat.reshape(shape);
            mask.attach(m);
            if (parts.size() > 1) {
                flat.close();
            }
            parts.close(); // views: the mask keeps the memory it uses
            return mask;
        }

        void close() {
            if (maker != null) {
                maker.interrupt();
                try {
                    maker.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            home.close();
        }
    }

    /** A run of a stream's elements in one array. */
    private record Chunk(NDArray array, int size) {}
}
