package io.atoll.model;

/** The actual state of an instance as its agent sees it. Only HEALTHY instances get traffic. */
public enum InstanceState {
    STARTING,
    HEALTHY,
    UNHEALTHY,
    DRAINING,
    CRASHLOOP
}
