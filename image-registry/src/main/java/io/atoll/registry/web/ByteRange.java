package io.atoll.registry.web;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Range} header of a blob GET, read as RFC 9110 §14 asks of a server that serves one
 * range at a time: what it cannot read as a single byte range (another unit, several ranges,
 * garbage) is ignored and the whole blob sent; a byte range that lies wholly past the end, or is
 * reversed, is unsatisfiable (416). Positions of any length parse: past {@link Long#MAX_VALUE}
 * they mean "beyond any blob", never an error.
 *
 * @param start first byte to send; -1 when unsatisfiable
 * @param end last byte to send, inclusive
 * @param partial whether a range was asked for and honoured (206), rather than the whole blob (200)
 */
record ByteRange(long start, long end, boolean partial) {

    // RFC 9110: ranges-specifier = range-unit "=" range-set; OWS only around commas, none here.
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    static ByteRange of(String header, long size) {
        ByteRange whole = new ByteRange(0, size - 1, false);
        if (header == null) {
            return whole;
        }
        Matcher matcher = SINGLE.matcher(header.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches() || matcher.group(1).isEmpty() && matcher.group(2).isEmpty()) {
            return whole;
        }
        if (matcher.group(1).isEmpty()) {
            long suffix = position(matcher.group(2));
            // A zero-length suffix, or any range of an empty blob, selects nothing.
            return suffix == 0 || size == 0 ? unsatisfiable() : new ByteRange(Math.max(0, size - suffix), size - 1, true);
        }
        long first = position(matcher.group(1));
        long last = matcher.group(2).isEmpty() ? Long.MAX_VALUE : position(matcher.group(2));
        if (first >= size || last < first) {
            return unsatisfiable();
        }
        return new ByteRange(first, Math.min(last, size - 1), true);
    }

    boolean satisfiable() {
        return start >= 0;
    }

    long length() {
        return end - start + 1;
    }

    private static ByteRange unsatisfiable() {
        return new ByteRange(-1, -1, true);
    }

    /** Decimal digits, already matched; longer than any blob can be means "as far as possible". */
    static long position(String digits) {
        String significant = digits.replaceFirst("^0+(?=\\d)", "");
        return significant.length() > 18 ? Long.MAX_VALUE : Long.parseLong(significant);
    }
}
