package io.atoll.registry.oci;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A repository name as the spec's grammar allows it. The grammar admits no '.', '_' or '-' at
 * the start of a path component, so "..", "_manifests" and absolute paths can never reach storage.
 */
public record RepositoryName(String value) {

    private static final Pattern GRAMMAR = Pattern.compile(
            "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
    // Docker's own limit; keeps names well inside file-name limits of every filesystem.
    private static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value == null || value.length() > MAX_LENGTH || !GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name",
                    Map.of("name", String.valueOf(value)));
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
