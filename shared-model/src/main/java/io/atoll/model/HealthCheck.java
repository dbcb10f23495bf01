package io.atoll.model;

/**
 * How an agent decides an instance is ready: an HTTP GET on {@code path} answering 2xx.
 */
public record HealthCheck(String path, long intervalMillis, long timeoutMillis, int unhealthyThreshold) {

    public static final String DEFAULT_PATH = "/healthz";

    public static HealthCheck ofPath(String path) {
        return new HealthCheck(path == null || path.isBlank() ? DEFAULT_PATH : path, 1000, 2000, 3);
    }
}
