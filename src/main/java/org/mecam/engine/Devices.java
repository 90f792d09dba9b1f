package org.mecam.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Resolves the {@code --device auto|cpu|gpu} choice to a DJL device. */
public final class Devices {

    private Devices() {}

    /**
     * @param choice {@code auto} (the first GPU if libtorch sees one, else the CPU), {@code cpu}
     *     or {@code gpu}
     * @return the device
     * @throws IllegalArgumentException if {@code gpu} is asked for and libtorch sees none
     */
    public static Device resolve(String choice) {
        NativeRuntime.start();
        int gpus = Engine.getInstance().getGpuCount();
        switch (choice) {
            case "cpu":
                return Device.cpu();
            case "gpu":
                if (gpus == 0) {
                    throw new IllegalArgumentException(
                            "device=gpu but libtorch sees no GPU (libtorch: " + NativeRuntime.libtorch()
                                    + "); run on a CUDA torch built with scripts/torch-jni.sh (README, 'GPU')");
                }
                return Device.gpu(0);
            case "auto":
                return gpus > 0 ? Device.gpu(0) : Device.cpu();
            default:
                throw new IllegalArgumentException(
                        "device must be one of auto, cpu, gpu; got '" + choice + "'");
        }
    }
}
