package io.atoll.registry.auth;

import io.atoll.registry.oci.RepositoryName;
import java.util.List;

/**
 * A list of repository prefixes matched by whole path components: {@code team} grants
 * {@code team} and {@code team/app} but not {@code teamx}; {@code *} grants every repository.
 */
record RepositoryPrefixes(List<String> prefixes) {

    RepositoryPrefixes {
        prefixes = prefixes == null ? List.of()
                : prefixes.stream().map(String::trim).map(p -> p.endsWith("/") ? p.substring(0, p.length() - 1) : p).toList();
    }

    boolean matches(RepositoryName name) {
        String value = name.value();
        for (String prefix : prefixes) {
            if (prefix.equals("*") || value.equals(prefix) || value.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return prefixes.isEmpty();
    }
}
