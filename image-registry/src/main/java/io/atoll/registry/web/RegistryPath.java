package io.atoll.registry.web;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.RegistryException;
import io.atoll.registry.oci.RepositoryName;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request path under {@code /v2/}, parsed once. Repository names contain slashes, so each
 * route is a pattern over the whole path whose greedy name group leaves exactly one known
 * suffix; the name is then checked against the spec grammar before anything uses it.
 */
record RegistryPath(Kind kind, RepositoryName name, String argument) {

    enum Kind { PING, CATALOG, TAGS, MANIFEST, REFERRERS, UPLOADS, UPLOAD, BLOB }

    private record Route(Kind kind, Pattern pattern) {
    }

    // Order matters: "uploads" would otherwise read as a blob digest.
    private static final List<Route> ROUTES = List.of(
            new Route(Kind.TAGS, Pattern.compile("(.+)/tags/list")),
            new Route(Kind.MANIFEST, Pattern.compile("(.+)/manifests/([^/]+)")),
            new Route(Kind.REFERRERS, Pattern.compile("(.+)/referrers/([^/]+)")),
            new Route(Kind.UPLOADS, Pattern.compile("(.+)/blobs/uploads/?")),
            new Route(Kind.UPLOAD, Pattern.compile("(.+)/blobs/uploads/([^/]+)")),
            new Route(Kind.BLOB, Pattern.compile("(.+)/blobs/([^/]+)")));

    /** @param path the decoded path after {@code /v2/} (may be empty) */
    static RegistryPath parse(String path) {
        if (path.isEmpty()) {
            return new RegistryPath(Kind.PING, null, null);
        }
        if (path.equals("_catalog")) {
            return new RegistryPath(Kind.CATALOG, null, null);
        }
        for (Route route : ROUTES) {
            Matcher matcher = route.pattern().matcher(path);
            if (matcher.matches()) {
                RepositoryName name = new RepositoryName(matcher.group(1));
                return new RegistryPath(route.kind(), name, matcher.groupCount() > 1 ? matcher.group(2) : null);
            }
        }
        throw new RegistryException(ErrorCode.UNSUPPORTED, 404, "no such registry endpoint", Map.of("path", path));
    }
}
