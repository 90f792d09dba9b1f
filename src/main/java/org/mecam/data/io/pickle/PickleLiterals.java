package org.mecam.data.io.pickle;

import java.math.BigInteger;

/** The text forms of protocol-0 opcodes: integer lines ({@code INT}, {@code LONG}) and raw-unicode escapes. */
final class PickleLiterals {

    private PickleLiterals() {}

    /** @return an {@code INT} / {@code LONG} line's value: a bool for "00" / "01", else a long or a BigInteger */
    static Object parseIntLine(String line) {
        if (line.equals("00")) {
            return Boolean.FALSE;
        }
        if (line.equals("01")) {
            return Boolean.TRUE;
        }
        BigInteger v = new BigInteger(line.trim());
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** @return a {@code UNICODE} line with its {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes decoded */
    static String unescape(String raw) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length() && (raw.charAt(i + 1) == 'u' || raw.charAt(i + 1) == 'U')) {
                int len = raw.charAt(i + 1) == 'u' ? 4 : 8;
                sb.appendCodePoint(Integer.parseInt(raw.substring(i + 2, i + 2 + len), 16));
                i += 1 + len;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
