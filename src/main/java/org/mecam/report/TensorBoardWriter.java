package org.mecam.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>}): TFRecord framing
 * (length, masked CRC-32C of the length, the serialised {@code Event}, its masked CRC-32C) around
 * hand-encoded protocol buffers: {@code Event{wall_time=1, step=2, file_version=3, summary=5}},
 * {@code Summary{value=1}}, {@code Summary.Value{tag=1, simple_value=2, metadata=9}}, and the
 * hparams plugin's {@code HParamsPluginData{version=1, session_start_info=3}} with
 * {@code SessionStartInfo{hparams=1 (map of google.protobuf.Value)}}. Every record is flushed, so
 * TensorBoard shows a run while it trains.
 */
public final class TensorBoardWriter implements AutoCloseable {

    private final OutputStream out;
    private final Path file;

    private TensorBoardWriter(Path file) throws IOException {
        this.file = file;
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        write(event(now(), 0, bytes(3, "brain.Event:2".getBytes(StandardCharsets.UTF_8))));
    }

    /** Opens a new event file in {@code dir} (created if needed). */
    public static TensorBoardWriter open(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        long seconds = System.currentTimeMillis() / 1000;
        return new TensorBoardWriter(dir.resolve("events.out.tfevents." + seconds + "." + host + "." + ProcessHandle.current().pid()));
    }

    /** @return the event file */
    public Path file() {
        return file;
    }

    /** Writes one scalar; NaN and infinite values are skipped (TensorBoard cannot plot them). */
    public void scalar(String tag, double value, long step) throws IOException {
        if (!Double.isFinite(value)) {
            return;
        }
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(bytes(1, tag.getBytes(StandardCharsets.UTF_8)));
        v.write(tag(2, 5));
        v.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array());
        write(event(now(), step, bytes(5, bytes(1, v.toByteArray()))));
    }

    /**
     * Records the run's configuration for TensorBoard's HParams dashboard (the session start of
     * the hparams plugin): numbers, booleans and strings.
     */
    public void hparams(Map<String, Object> values) throws IOException {
        ByteArrayOutputStream start = new ByteArrayOutputStream();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            ByteArrayOutputStream value = new ByteArrayOutputStream(); // google.protobuf.Value
            Object x = e.getValue();
            if (x instanceof Number) {
                value.write(tag(2, 1));
                value.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                        .putDouble(((Number) x).doubleValue()).array());
            } else if (x instanceof Boolean) {
                value.write(tag(4, 0));
                value.write((Boolean) x ? 1 : 0);
            } else {
                value.writeBytes(bytes(3, String.valueOf(x).getBytes(StandardCharsets.UTF_8)));
            }
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            entry.writeBytes(bytes(1, e.getKey().getBytes(StandardCharsets.UTF_8)));
            entry.writeBytes(bytes(2, value.toByteArray()));
            start.writeBytes(bytes(1, entry.toByteArray()));
        }
        ByteArrayOutputStream plugin = new ByteArrayOutputStream(); // HParamsPluginData
        plugin.write(tag(1, 0));
        plugin.write(0);
        plugin.writeBytes(bytes(3, start.toByteArray()));
        ByteArrayOutputStream pluginData = new ByteArrayOutputStream();
        pluginData.writeBytes(bytes(1, "hparams".getBytes(StandardCharsets.UTF_8)));
        pluginData.writeBytes(bytes(2, plugin.toByteArray()));
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(bytes(1, "_hparams_/session_start_info".getBytes(StandardCharsets.UTF_8)));
        v.writeBytes(bytes(9, bytes(1, pluginData.toByteArray()))); // metadata.plugin_data
        write(event(now(), 0, bytes(5, bytes(1, v.toByteArray()))));
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static byte[] event(double wallTime, long step, byte[] payload) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        e.write(tag(1, 1));
        e.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
        e.write(tag(2, 0));
        e.writeBytes(varint(step));
        e.writeBytes(payload);
        return e.toByteArray();
    }

    private void write(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(le32(maskedCrc(length)));
        out.write(data);
        out.write(le32(maskedCrc(data)));
        out.flush();
    }

    /** @return TFRecord's masked CRC-32C: ((crc >>> 15) | (crc << 17)) + 0xa282ead8 */
    static int maskedCrc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int tag(int field, int wireType) {
        return (field << 3) | wireType;
    }

    /** @return a length-delimited field */
    private static byte[] bytes(int field, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(varint(tag(field, 2)));
        b.writeBytes(varint(payload.length));
        b.writeBytes(payload);
        return b.toByteArray();
    }

    private static byte[] varint(long v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            b.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
