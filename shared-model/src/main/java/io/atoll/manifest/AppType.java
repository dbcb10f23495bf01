package io.atoll.manifest;

import java.util.Arrays;
import java.util.Optional;

/** How an app is built, as {@code type:} in atoll.yml names it. */
public enum AppType {

    /** A Maven or Gradle project, assembled into an image with jib. */
    JAVA("java"),
    /** Files served as they are, optionally produced by a build command. */
    STATIC("static"),
    /** The repository's Dockerfile, built by the engine. */
    DOCKERFILE("dockerfile"),
    /** A build command that leaves an artifact, which a run command starts. */
    COMMAND("command");

    private final String yamlName;

    AppType(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }

    public static Optional<AppType> fromYaml(String name) {
        return Arrays.stream(values()).filter(type -> type.yamlName.equals(name)).findFirst();
    }
}
