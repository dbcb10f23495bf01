package io.atoll.build.queue;

/**
 * A request for a build.
 *
 * @param triggerKind {@code manual}, {@code github}, {@code gitlab} or {@code generic}
 */
public record NewBuild(String app, String repository, String ref, String commit, String triggerKind,
        String triggeredBy, String deliveryId) {
}
