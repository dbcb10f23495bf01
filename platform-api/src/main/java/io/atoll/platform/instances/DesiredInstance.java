package io.atoll.platform.instances;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/** An instance the scheduler wants on a node: the SQL original of a ZooKeeper assignment. */
@Table("desired_instance")
public record DesiredInstance(@Id String instanceId, String app, String releaseId, String nodeId, long memoryMb,
        long cpuShares, boolean draining, Instant createdAt, Instant drainingSince, @Version Integer version) {

    public static DesiredInstance create(String instanceId, String app, String releaseId, String nodeId,
            long memoryMb, long cpuShares, Instant now) {
        return new DesiredInstance(instanceId, app, releaseId, nodeId, memoryMb, cpuShares, false, now, null, null);
    }

    public DesiredInstance asDraining(Instant now) {
        return new DesiredInstance(instanceId, app, releaseId, nodeId, memoryMb, cpuShares, true, createdAt, now,
                version);
    }
}
