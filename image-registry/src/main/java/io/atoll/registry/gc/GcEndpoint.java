package io.atoll.registry.gc;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/registrygc}: GET shows the last collection's report, POST runs one now
 * (JSON body {@code {"dryRun":true}} to only report what would be freed).
 */
@Component
@Endpoint(id = "registrygc")
public class GcEndpoint {

    private final GarbageCollector collector;

    public GcEndpoint(GarbageCollector collector) {
        this.collector = collector;
    }

    @ReadOperation
    public @Nullable GcReport last() {
        return collector.lastReport();
    }

    @WriteOperation
    public GcReport collect(@Nullable Boolean dryRun) {
        return collector.collect(Boolean.TRUE.equals(dryRun));
    }
}
