package io.atoll.registry.storage;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** DOWN when the storage can no longer write, read back and delete a probe (full disk, lost mount). */
class StorageHealthIndicator extends AbstractHealthIndicator {

    private final RegistryStorage storage;

    StorageHealthIndicator(RegistryStorage storage) {
        super("registry storage check failed");
        this.storage = storage;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("location", storage.describe());
        storage.verify();
        builder.up();
    }
}
