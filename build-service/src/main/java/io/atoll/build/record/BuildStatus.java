package io.atoll.build.record;

/** A build's life: QUEUED → RUNNING → one of the final states; QUEUED may end CANCELLED or SUPERSEDED. */
public enum BuildStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, SUPERSEDED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
