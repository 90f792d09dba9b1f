package org.mecam.data.io.pickle;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a pickle file as {@link PickleReader}'s opcodes read them: little-endian integers,
 * lines, strings and byte strings through a small buffer. Byte strings of
 * {@link PickleReader#LAZY_BYTES} or more are skipped and returned as file regions, so the channel
 * stays open while they may be read.
 */
final class PickleInput implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private long bufferStart;

    PickleInput(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        buffer.limit(0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** @return the offset of the next byte to read */
    long position() {
        return bufferStart + buffer.position();
    }

    int readByte() throws IOException {
        if (!buffer.hasRemaining()) {
            fill();
        }
        return buffer.get() & 0xFF;
    }

    private void fill() throws IOException {
        bufferStart += buffer.position();
        buffer.clear();
        int n = channel.read(buffer, bufferStart);
        buffer.flip();
        if (n <= 0) {
            throw new PickleException(file + ": file ends at byte " + bufferStart
                    + " before the pickle's STOP opcode (truncated file?)");
        }
    }

    private byte[] readExact(int n) throws IOException {
        byte[] out = new byte[n];
        int k = 0;
        while (k < n) {
            if (!buffer.hasRemaining()) {
                fill();
            }
            int c = Math.min(n - k, buffer.remaining());
            buffer.get(out, k, c);
            k += c;
        }
        return out;
    }

    int readInt4() throws IOException {
        return ByteBuffer.wrap(readExact(4)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    long readUInt4() throws IOException {
        return readInt4() & 0xFFFFFFFFL;
    }

    long readLong8() throws IOException {
        long v = ByteBuffer.wrap(readExact(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (v < 0) {
            throw new PickleException(file + ": malformed pickle, negative length at byte " + position());
        }
        return v;
    }

    double readDoubleBe() throws IOException {
        return ByteBuffer.wrap(readExact(8)).order(ByteOrder.BIG_ENDIAN).getDouble();
    }

    /** @return an {@code n}-byte little-endian two's-complement integer: a Long, or a BigInteger when it needs 64 bits or more */
    Object readLong(int n) throws IOException {
        byte[] le = readExact(n);
        byte[] be = new byte[Math.max(1, n)];
        for (int i = 0; i < n; i++) {
            be[n - 1 - i] = le[i];
        }
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = readByte(); c != '\n'; c = readByte()) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    /** A str: decoded if small; large ones (protocol-2 array payloads) stay in the file. */
    Object readText(long n) throws IOException {
        if (n < PickleReader.LAZY_BYTES) {
            return new String(readExact((int) n), StandardCharsets.UTF_8);
        }
        return new PickleReader.LazyText(region(n));
    }

    ByteSource readBytes(long n) throws IOException {
        if (n < PickleReader.LAZY_BYTES) {
            return new ByteSource.Inline(readExact((int) n));
        }
        return region(n);
    }

    private ByteSource.FileRegion region(long n) throws IOException {
        long start = position();
        long size = channel.size();
        if (start + n > size) {
            throw new PickleException(file + ": file ends at byte " + size + " inside a " + n
                    + "-byte payload that starts at byte " + start + " (truncated file?)");
        }
        bufferStart = start + n;
        buffer.clear().limit(0);
        return new ByteSource.FileRegion(channel, file, start, n);
    }
}
