package io.atoll.platform.control;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The controllers that run on the elected platform-api.
 *
 * @param nodeLostGrace how long a node's registration may be gone before its instances are
 *     placed elsewhere ({@code atoll.platform.node-lost-grace})
 * @param control the reconcile loops
 */
@ConfigurationProperties("atoll.platform")
public record ControlProperties(Duration nodeLostGrace, Control control) {

    /**
     * @param resync every app is reconciled at least this often, whatever happened
     * @param workers reconcile threads (apps reconciled at once; one app is never reconciled twice at once)
     * @param maxBackoff the longest wait before retrying an app whose reconcile failed
     */
    public record Control(Duration resync, Integer workers, Duration maxBackoff) {

        public Control {
            resync = resync == null ? Duration.ofSeconds(10) : resync;
            workers = workers == null ? 2 : Math.max(1, workers);
            maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        }
    }

    public ControlProperties {
        nodeLostGrace = nodeLostGrace == null ? Duration.ofSeconds(15) : nodeLostGrace;
        control = control == null ? new Control(null, null, null) : control;
    }
}
