package io.atoll.model;

/**
 * The grammar of a health path, which an agent requests on an instance: at most 255 characters,
 * '/'-separated segments of unreserved characters ({@code A-Z a-z 0-9 . _ ~ -}), no empty segment
 * (a leading {@code //} reads as a host to an HTTP client), no {@code .} or {@code ..}. Checked by
 * a loop rather than a regular expression, whose repeated groups recurse once per segment.
 */
public final class HealthPaths {

    public static final String RULE = "must be an absolute path such as /healthz (at most 255 characters; "
            + "segments of letters, digits and . _ ~ -; no empty, '.' or '..' segment)";

    private HealthPaths() {
    }

    public static boolean valid(String path) {
        if (path.isEmpty() || path.length() > 255 || path.charAt(0) != '/') {
            return false;
        }
        int start = 1;
        while (start < path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String segment = path.substring(start, end);
            if (segment.isEmpty() && end < path.length() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                boolean unreserved = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                        || c == '.' || c == '_' || c == '~' || c == '-';
                if (!unreserved) {
                    return false;
                }
            }
            start = end + 1;
        }
        return true;
    }
}
