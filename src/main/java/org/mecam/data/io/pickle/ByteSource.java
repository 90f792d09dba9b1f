package org.mecam.data.io.pickle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The bytes of a pickled {@code bytes} / {@code bytearray} object: held in memory when small,
 * or a region of the pickle file read on demand.
 */
public abstract class ByteSource {

    /** @return the number of bytes */
    public abstract long length();

    /**
     * Reads {@code dst.remaining()} bytes starting at {@code offset}.
     *
     * @throws IOException if the file cannot be read or ends early (a truncated file)
     */
    public abstract void read(long offset, ByteBuffer dst) throws IOException;

    /** @return the region of the file holding these bytes verbatim, or null if they are not */
    public FileRegion fileRegion() {
        return null;
    }

    /** @return all bytes (only for sources that fit one array) */
    public byte[] toArray() throws IOException {
        byte[] out = new byte[Math.toIntExact(length())];
        read(0, ByteBuffer.wrap(out));
        return out;
    }

    /** Bytes held in memory. */
    static final class Inline extends ByteSource {
        private final byte[] bytes;

        Inline(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            dst.put(bytes, (int) offset, dst.remaining());
        }

        @Override
        public byte[] toArray() {
            return bytes;
        }
    }

    /** Bytes stored verbatim in the pickle file. */
    public static final class FileRegion extends ByteSource {
        private final FileChannel channel;
        private final Path file;
        private final long offset;
        private final long length;

        FileRegion(FileChannel channel, Path file, long offset, long length) {
            this.channel = channel;
            this.file = file;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public long length() {
            return length;
        }

        /** @return the open channel of the pickle file */
        public FileChannel channel() {
            return channel;
        }

        /** @return the pickle file */
        public Path file() {
            return file;
        }

        /** @return the position of the first byte in the file */
        public long offset() {
            return offset;
        }

        @Override
        public FileRegion fileRegion() {
            return this;
        }

        @Override
        public void read(long at, ByteBuffer dst) throws IOException {
            long pos = offset + at;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new IOException(file + ": file ends at byte " + pos + " inside a " + length
                            + "-byte array payload that starts at byte " + offset + " (truncated file?)");
                }
                pos += n;
            }
        }
    }

    /**
     * Protocol-2 bytes: {@code _codecs.encode(s, 'latin1')} of a str whose code points are the bytes,
     * stored as UTF-8. Decoded sequentially on demand.
     */
    static final class Latin1 extends ByteSource {
        private final FileRegion utf8;
        private final long length;
        private long cursorChars;
        private long cursorBytes;

        Latin1(FileRegion utf8) throws IOException {
            this.utf8 = utf8;
            this.length = countChars(utf8);
        }

        private static long countChars(FileRegion utf8) throws IOException {
            long chars = 0;
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < utf8.length(); pos += buf.limit()) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), utf8.length() - pos));
                utf8.read(pos, buf);
                buf.flip();
                while (buf.hasRemaining()) {
                    chars += (buf.get() & 0xC0) != 0x80 ? 1 : 0;
                }
            }
            return chars;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (offset < cursorChars) {
                cursorChars = 0;
                cursorBytes = 0;
            }
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            long pos = cursorBytes;
            long chars = cursorChars;
            int pending = -1;
            while (dst.hasRemaining()) {
                in.clear();
                in.limit((int) Math.min(in.capacity(), utf8.length() - pos));
                if (in.limit() == 0) {
                    throw new IOException(utf8.file() + ": protocol-2 byte string ends early");
                }
                utf8.read(pos, in);
                in.flip();
                int consumed = 0;
                while (in.hasRemaining() && dst.hasRemaining()) {
                    int b = in.get() & 0xFF;
                    consumed++;
                    int value;
                    if (pending >= 0) {
                        value = ((pending & 0x1F) << 6) | (b & 0x3F);
                        pending = -1;
                    } else if (b < 0x80) {
                        value = b;
                    } else if ((b & 0xE0) == 0xC0) {
                        pending = b;
                        continue;
                    } else {
                        throw new IOException(utf8.file() + ": protocol-2 byte string holds a character above U+00FF");
                    }
                    if (chars >= offset) {
                        dst.put((byte) value);
                    }
                    chars++;
                }
                pos += consumed;
            }
            cursorBytes = pos;
            cursorChars = chars;
        }
    }

    /** @return the bytes as ISO-8859-1 text (for short byte strings such as ids) */
    public String latin1() throws IOException {
        return new String(toArray(), StandardCharsets.ISO_8859_1);
    }
}
