package io.atoll.build.hook;

import io.atoll.build.BuildProperties;
import io.atoll.build.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivery ids of verified webhooks, kept for {@code atoll.build.hooks.delivery-retention}: the
 * primary key refuses a second delivery with the same id, in the transaction that queues its build.
 */
@Component
class Deliveries {

    private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

    private final JdbcClient jdbc;
    private final BuildProperties properties;
    private final Clock clock = Clock.systemUTC();

    Deliveries(JdbcClient jdbc, BuildProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /** Records the delivery or throws 409 when its id was seen already. */
    void record(String kind, String deliveryId, String app) {
        try {
            jdbc.sql("insert into hook_delivery (kind, delivery_id, app, received_at) values (?, ?, ?, ?)")
                    .params(kind, deliveryId, app, java.sql.Timestamp.from(clock.instant()))
                    .update();
        } catch (DuplicateKeyException e) {
            throw new ApiException(HttpStatus.CONFLICT, "Delivery already seen",
                    "this delivery id was received before; nothing was queued");
        }
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    void purge() {
        Instant before = clock.instant().minus(properties.hooks().deliveryRetention());
        int purged = jdbc.sql("delete from hook_delivery where received_at < ?")
                .params(java.sql.Timestamp.from(before)).update();
        if (purged > 0) {
            log.info("Forgot {} webhook delivery id(s) older than {}", purged, properties.hooks().deliveryRetention());
        }
    }
}
