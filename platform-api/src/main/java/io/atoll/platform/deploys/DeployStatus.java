package io.atoll.platform.deploys;

public enum DeployStatus {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED;

    boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
