package io.atoll.platform.deploys;

/**
 * A deploy's state machine. PENDING (recorded, image not yet pinned) → RUNNING (new instances
 * coming up, old ones retiring as they do) → SUCCEEDED; or, on failure, ROLLING_BACK (the previous
 * release restored) → ROLLED_BACK, or FAILED when there was nothing to roll back to.
 */
public enum DeployStatus {
    PENDING,
    RUNNING,
    ROLLING_BACK,
    SUCCEEDED,
    ROLLED_BACK,
    FAILED;

    public boolean finished() {
        return this == SUCCEEDED || this == ROLLED_BACK || this == FAILED;
    }
}
