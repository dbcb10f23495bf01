package io.atoll.build.queue;

/**
 * A request for a build.
 *
 * @param sourceKind {@code git} (repository and ref or commit) or {@code upload} (repository
 *     {@code upload:<id>}, a stored tarball)
 * @param triggerKind {@code manual}, {@code github}, {@code gitlab} or {@code generic}
 */
public record NewBuild(String app, String sourceKind, String repository, String ref, String commit,
        String triggerKind, String triggeredBy, String deliveryId) {

    /** A build of a git repository. */
    public NewBuild(String app, String repository, String ref, String commit, String triggerKind, String triggeredBy,
            String deliveryId) {
        this(app, "git", repository, ref, commit, triggerKind, triggeredBy, deliveryId);
    }
}
