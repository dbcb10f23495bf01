package io.atoll.platform.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed image reference: {@code [registry/]repository[:tag][@digest]}, following the Docker
 * reference grammar: the first component is a registry host only if it has a '.' or ':' or is
 * {@code localhost}.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    public static ImageReference parse(String text) {
        String rest = text.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("'" + digest + "' is not a sha256 digest");
            }
        }
        String registry = null;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!HOST.matcher(first).matches()) {
                    throw new IllegalArgumentException("'" + first + "' is not a registry host");
                }
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("'" + tag + "' is not a valid tag");
            }
        }
        for (String component : rest.split("/", -1)) {
            Matcher m = COMPONENT.matcher(component);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + rest + "' is not a valid repository name");
            }
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** The tag or digest to ask the registry for; the digest wins when both are given. */
    public String reference() {
        return digest != null ? digest : tag;
    }
}
