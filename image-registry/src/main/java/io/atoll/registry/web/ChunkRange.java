package io.atoll.registry.web;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Content-Range} of an upload chunk (PATCH, or the closing PUT): the spec's
 * {@code <start>-<end>}, inclusive, also accepted with the {@code bytes } prefix and
 * {@code /total} suffix of RFC 9110. What cannot be a range of this upload is a 416
 * {@code BLOB_UPLOAD_INVALID}, as the spec asks for a chunk out of order; the client then asks
 * for the upload's status ({@code GET}) to learn where to continue.
 */
record ChunkRange(long start, long end) {

    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");

    /** @return null when there is no header */
    static ChunkRange parse(String header) {
        if (header == null) {
            return null;
        }
        Matcher matcher = CONTENT_RANGE.matcher(header.trim());
        if (!matcher.matches()) {
            throw invalid("Content-Range must be <start>-<end>", header);
        }
        long start = ByteRange.position(matcher.group(1));
        long end = ByteRange.position(matcher.group(2));
        if (end < start || end == Long.MAX_VALUE) {
            throw invalid("Content-Range must name a first and a last byte, the last not before the first", header);
        }
        return new ChunkRange(start, end);
    }

    /**
     * The reference registry's rule: a declared body length must be exactly the range's length,
     * checked before a byte is stored.
     */
    void requireLength(long contentLength) {
        if (contentLength >= 0 && contentLength != end - start + 1) {
            throw new RegistryException(ErrorCode.SIZE_INVALID, "Content-Length does not match Content-Range",
                    Map.of("contentLength", contentLength, "range", start + "-" + end));
        }
    }

    private static RegistryException invalid(String message, String header) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, message,
                Map.of("contentRange", header.length() > 100 ? header.substring(0, 100) + "…" : header));
    }
}
