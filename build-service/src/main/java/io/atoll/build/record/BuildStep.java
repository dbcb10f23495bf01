package io.atoll.build.record;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.relational.core.mapping.Table;

/** How long one finished step of a build took. */
@Table("build_step")
public record BuildStep(@Id String id, String buildId, String name, long durationMs, Instant finishedAt,
        @Version Integer version) {
}
