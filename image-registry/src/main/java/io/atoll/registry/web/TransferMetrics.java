package io.atoll.registry.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Bytes through the registry's API, for capacity planning and to see pushes and pulls happen. */
@Component
public class TransferMetrics {

    private final Counter received;
    private final Counter sent;

    public TransferMetrics(MeterRegistry meters) {
        this.received = Counter.builder("atoll.registry.received").baseUnit("bytes")
                .description("blob and manifest bytes received from clients").register(meters);
        this.sent = Counter.builder("atoll.registry.sent").baseUnit("bytes")
                .description("blob and manifest bytes sent to clients").register(meters);
    }

    void received(long bytes) {
        received.increment(bytes);
    }

    void sent(long bytes) {
        sent.increment(bytes);
    }
}
