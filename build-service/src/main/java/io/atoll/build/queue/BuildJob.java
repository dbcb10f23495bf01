package io.atoll.build.queue;

/**
 * What a builder is given: which app, and where its source is.
 *
 * @param sourceKind {@code git}, or {@code upload} with {@code repository} {@code upload:<id>}
 */
public record BuildJob(String buildId, String app, String sourceKind, String repository, String ref, String commit) {
}
