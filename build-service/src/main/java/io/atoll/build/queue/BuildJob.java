package io.atoll.build.queue;

/** What a builder is given: which app, and where its source is. */
public record BuildJob(String buildId, String app, String repository, String ref, String commit) {
}
