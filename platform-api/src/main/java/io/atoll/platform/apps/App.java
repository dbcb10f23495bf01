package io.atoll.platform.apps;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/** An app as stored: its routing hosts are kept as one comma-separated column. */
@Table("app")
public record App(@Id String name, String hosts, int containerPort, String healthPath, Instant createdAt,
        boolean deleting, @Version Integer version) {

    public static App create(String name, List<String> hosts, int containerPort, String healthPath, Instant now) {
        return new App(name, String.join(",", hosts), containerPort, healthPath, now, false, null);
    }

    /** Marked for deletion: the controllers drain and remove everything, then the rows. */
    public App markDeleting() {
        return new App(name, hosts, containerPort, healthPath, createdAt, true, version);
    }

    public List<String> hostList() {
        return hosts.isEmpty() ? List.of() : Arrays.asList(hosts.split(","));
    }
}
