package io.atoll.platform.ipgroups;

import io.atoll.model.IpGroup;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/** An IP group as stored: CIDRs (canonical) and ports as comma-separated columns. */
@Table("ip_group")
record IpGroupRow(@Id String name, String cidrs, String ports, Instant createdAt, Instant updatedAt,
        @Version Integer version) {

    IpGroup toModel() {
        return new IpGroup(name, split(cidrs), split(ports).stream().map(Integer::valueOf).toList());
    }

    private static List<String> split(String column) {
        return column == null || column.isEmpty() ? List.of() : Arrays.asList(column.split(","));
    }
}
