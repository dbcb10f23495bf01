package io.atoll.registry.gc;

import io.atoll.registry.oci.ErrorCode;
import io.atoll.registry.oci.OciErrors;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;

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

    /** Before the first collection, a 404 in the registry's error format (the actuator's own 404 has no body). */
    @ReadOperation
    public WebEndpointResponse<Object> last() {
        GcReport report = collector.lastReport();
        if (report == null) {
            return new WebEndpointResponse<>(OciErrors.body(ErrorCode.UNSUPPORTED, "no garbage collection has run since start-up", null),
                    404, MimeTypeUtils.APPLICATION_JSON);
        }
        return new WebEndpointResponse<>(report, 200);
    }

    @WriteOperation
    public GcReport collect(@Nullable Boolean dryRun) {
        return collector.collect(Boolean.TRUE.equals(dryRun));
    }
}
