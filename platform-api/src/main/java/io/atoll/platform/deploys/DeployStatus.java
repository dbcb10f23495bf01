package io.atoll.platform.deploys;

/**
 * A deploy's state machine. PENDING (recorded, image not yet pinned) → RUNNING (new instances
 * coming up, old ones retiring as they do) → SUCCEEDED; or, on failure, ROLLING_BACK (the previous
 * release restored) → ROLLED_BACK, or FAILED when there was nothing to roll back to. A canary
 * stops at CANARY (a share of the traffic on the new release) until promoted (RUNNING again) or
 * aborted (ROLLING_BACK).
 */
public enum DeployStatus {
    PENDING,
    RUNNING,
    CANARY,
    ROLLING_BACK,
    SUCCEEDED,
    ROLLED_BACK,
    FAILED;

    public boolean finished() {
        return this == SUCCEEDED || this == ROLLED_BACK || this == FAILED;
    }
}
