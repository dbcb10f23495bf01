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
        @Version Integer version) {

    public static App create(String name, List<String> hosts, int containerPort, String healthPath, Instant now) {
        return new App(name, String.join(",", hosts), containerPort, healthPath, now, null);
    }

    public List<String> hostList() {
        return hosts.isEmpty() ? List.of() : Arrays.asList(hosts.split(","));
    }
}
