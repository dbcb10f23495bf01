package io.atoll.manifest;

/**
 * One thing wrong with an atoll.yml. Lines and columns count from 1; line 0 is the file as a
 * whole (its size or encoding before any line could be read). {@code field} is the dotted path of
 * the field ({@code port}, {@code resources.memory}, {@code env.DEBUG}, {@code dependencies[2]}),
 * or {@code null} where the YAML itself is malformed.
 */
public record ManifestError(int line, int column, String field, String message) {

    public static final String FILE = "atoll.yml";

    /** As compilers print it, so that editors and CI logs can jump to it: {@code atoll.yml:7:3: port: ...}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(FILE);
        if (line > 0) {
            text.append(':').append(line).append(':').append(column);
        }
        text.append(": ");
        if (field != null) {
            text.append(field).append(": ");
        }
        return text.append(message).toString();
    }
}
