package io.atoll.platform.registry;

import java.util.regex.Pattern;

/**
 * A parsed image reference, {@code [registry/]repository[:tag][@digest]}, by the grammar of
 * Distribution's {@code reference} package: the first path component is a registry only if it has
 * a '.' or ':', is {@code localhost}, or has upper case (no repository may); repository components
 * are lower case with {@code . _ __ -} separators, at most 255 characters with the registry; a tag
 * is {@code [\w][\w.-]{0,127}}; a digest is {@code algorithm:hex} with the algorithm's length
 * (sha256: 64, sha512: 128 lower-case hex digits). Nothing is trimmed or normalised: the text is
 * either exactly a reference or refused.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    private static final int NAME_MAX = 255;
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DOMAIN_NAME =
            Pattern.compile("(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern DIGEST_ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    /** @throws IllegalArgumentException saying which part is wrong */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        if (text.length() > NAME_MAX + 1 + 128 + 1 + 7 + 128) {
            throw new IllegalArgumentException("is too long");
        }
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            checkDigest(digest);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("has an invalid tag '" + tag + "' (letters, digits, '_', '.' and '-', "
                        + "at most 128, not starting with '.' or '-')");
            }
        }
        if (rest.length() > NAME_MAX) {
            throw new IllegalArgumentException("has a name longer than " + NAME_MAX + " characters");
        }
        String registry = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || !first.equals(first.toLowerCase(java.util.Locale.ROOT))) {
                checkRegistry(first);
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        for (String component : rest.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("has an invalid repository name '" + rest + "' (lower-case letters and "
                        + "digits, separated by '.', '_', '__', '-' or '/')");
            }
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    private static void checkDigest(String digest) {
        int colon = digest.indexOf(':');
        String algorithm = colon < 0 ? "" : digest.substring(0, colon);
        String hex = colon < 0 ? "" : digest.substring(colon + 1);
        if (!DIGEST_ALGORITHM.matcher(algorithm).matches()) {
            throw new IllegalArgumentException("has an invalid digest (algorithm:hex, e.g. sha256:...)");
        }
        Pattern expected = switch (algorithm) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw new IllegalArgumentException("has a digest of an unsupported algorithm (sha256 or sha512)");
        };
        if (!expected.matcher(hex).matches()) {
            throw new IllegalArgumentException("has an invalid " + algorithm + " digest (" + (algorithm.equals("sha256") ? 64 : 128)
                    + " lower-case hex digits)");
        }
    }

    private static void checkRegistry(String registry) {
        String host = registry;
        String port = null;
        int colon = registry.lastIndexOf(':');
        if (colon >= 0 && colon > registry.lastIndexOf(']')) {
            host = registry.substring(0, colon);
            port = registry.substring(colon + 1);
        }
        boolean hostOk = DOMAIN_NAME.matcher(host).matches() || IPV6.matcher(host).matches();
        boolean portOk = port == null || port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
        if (!hostOk || !portOk) {
            throw new IllegalArgumentException("has an invalid registry '" + registry + "' (host[:port])");
        }
    }

    /** The tag or digest to ask the registry for; the digest wins when both are given. */
    public String reference() {
        return digest != null ? digest : tag;
    }
}
