package io.atoll.registry.gc;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code atoll.registry.gc.*}.
 *
 * @param gracePeriod a blob committed, or linked into a repository (uploaded again, mounted), more
 *     recently than this is never collected: a push uploads or mounts its blobs before the
 *     manifest that references them
 * @param interval how often the collector runs on its own; zero turns the schedule off
 *     (the endpoint still works)
 */
@ConfigurationProperties("atoll.registry.gc")
public record GcProperties(@DefaultValue("1h") Duration gracePeriod, @DefaultValue("24h") Duration interval) {
}
