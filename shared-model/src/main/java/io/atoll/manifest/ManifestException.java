package io.atoll.manifest;

import java.util.List;
import java.util.stream.Collectors;

/** An atoll.yml that cannot be used, with every error found (sorted by line). */
public class ManifestException extends RuntimeException {

    private final List<ManifestError> errors;

    public ManifestException(List<ManifestError> errors) {
        super(errors.stream().map(ManifestError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ManifestError> errors() {
        return errors;
    }
}
