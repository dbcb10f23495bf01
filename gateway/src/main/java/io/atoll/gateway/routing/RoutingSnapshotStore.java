package io.atoll.gateway.routing;

import io.atoll.json.JsonCodec;
import io.atoll.model.AppRoute;
import io.atoll.model.InstanceStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last ZooKeeper content the table was built from, on disk, so that a gateway restarted
 * while ZooKeeper is away still routes (DESIGN §4). Written whole through a temporary file and
 * an atomic rename: a crash mid-write leaves the previous snapshot.
 */
public class RoutingSnapshotStore {

    private static final Logger log = LoggerFactory.getLogger(RoutingSnapshotStore.class);

    /** What is saved: the mirrors' content, not the derived table, so the format stays the ZooKeeper one. */
    public record Snapshot(Instant savedAt, Map<String, AppRoute> routes, Map<String, InstanceStatus> instances,
            Map<String, Long> claimOrder) {

        public Snapshot {
            routes = routes == null ? Map.of() : Map.copyOf(routes);
            instances = instances == null ? Map.of() : Map.copyOf(instances);
            claimOrder = claimOrder == null ? Map.of() : Map.copyOf(claimOrder);
        }
    }

    private final Path file;
    private final JsonCodec codec = JsonCodec.shared();

    public RoutingSnapshotStore(Path file) {
        this.file = file;
    }

    public void save(Map<String, AppRoute> routes, Map<String, InstanceStatus> instances, Map<String, Long> claimOrder) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.write(temp, codec.encode(new Snapshot(Instant.now(), routes, instances, claimOrder)));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot write routing snapshot {}: {}", file, e.toString());
        }
    }

    /** Null when there is no usable snapshot. */
    public Snapshot load() {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return codec.decode(Files.readAllBytes(file), Snapshot.class);
        } catch (IOException | RuntimeException e) {
            log.warn("Ignoring unreadable routing snapshot {}: {}", file, e.toString());
            return null;
        }
    }

    public Path file() {
        return file;
    }
}
