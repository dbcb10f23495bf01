package io.atoll.model;

/**
 * The actual state of an instance as its agent sees it. Only HEALTHY instances get traffic.
 * CRASHLOOP and FAILED come with an {@link InstanceProblem} saying why.
 */
public enum InstanceState {
    STARTING,
    HEALTHY,
    UNHEALTHY,
    DRAINING,
    /** The container keeps exiting: restarted with backoff, never left for good. */
    CRASHLOOP,
    /** The container could not be made to run at all (pull, create or start refused); retried with backoff. */
    FAILED
}
