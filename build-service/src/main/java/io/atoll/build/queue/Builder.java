package io.atoll.build.queue;

/**
 * What turns a queued build into an image: the git checkout, the builder container and jib
 * (issue 13 items 3-4) plug in here. The queue calls {@link #build} on one of its worker threads
 * and records the outcome; a builder never writes build records itself.
 *
 * <p>Cancel and shutdown interrupt the calling thread: a builder must stop promptly when
 * interrupted (throw {@link InterruptedException}, stop its container). Only
 * {@link NoBuilder} exists in the application so far; the tests plug in a scripted double.
 */
public interface Builder {

    /**
     * Runs the build's steps, each through {@code steps} so that its duration is recorded.
     *
     * @return the image digest ({@code sha256:...})
     * @throws BuildFailure when a step failed for a reason the user should read
     */
    String build(BuildJob job, BuildSteps steps) throws InterruptedException, BuildFailure;
}
