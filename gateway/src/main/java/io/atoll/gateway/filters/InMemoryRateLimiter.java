package io.atoll.gateway.filters;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.cloud.gateway.filter.ratelimit.AbstractRateLimiter;
import org.springframework.cloud.gateway.support.ConfigurationService;
import reactor.core.publisher.Mono;

/**
 * SCG's {@code RequestRateLimiter} without Redis: a token bucket per route and key (the client
 * address by default, {@link ClientAddressKeyResolver}) in this gateway's memory. Each gateway
 * counts its own requests, so N gateways behind a load balancer allow up to N times the rate.
 * Per-route settings come as the filter's arguments, bound by SCG like the Redis limiter's:
 * {@code in-memory-rate-limiter.replenishRate} (tokens a second), {@code .burstCapacity} (the
 * bucket's size) and {@code .requestedTokens} (what one request costs).
 */
public final class InMemoryRateLimiter extends AbstractRateLimiter<InMemoryRateLimiter.Config> {

    public static final String CONFIGURATION_PROPERTY_NAME = "in-memory-rate-limiter";

    /** Buckets kept before full ones (idle long enough to have refilled) are dropped. */
    private static final int MAX_BUCKETS = 100_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Config defaults = new Config();

    public InMemoryRateLimiter(ConfigurationService configurationService) {
        super(Config.class, CONFIGURATION_PROPERTY_NAME, configurationService);
    }

    @Override
    public Mono<Response> isAllowed(String routeId, String id) {
        Config config = getConfig().getOrDefault(routeId, defaults);
        long now = System.nanoTime();
        if (buckets.size() >= MAX_BUCKETS) {
            buckets.values().removeIf(bucket -> bucket.fullAt(now));
        }
        Bucket bucket = buckets.computeIfAbsent(routeId + '\n' + id, key -> new Bucket(config, now));
        long remaining = bucket.take(config, now);
        Map<String, String> headers = Map.of("X-RateLimit-Remaining", String.valueOf(Math.max(remaining, 0)),
                "X-RateLimit-Replenish-Rate", String.valueOf(config.replenishRate),
                "X-RateLimit-Burst-Capacity", String.valueOf(config.burstCapacity),
                "X-RateLimit-Requested-Tokens", String.valueOf(config.requestedTokens));
        return Mono.just(new Response(remaining >= 0, headers));
    }

    /** A bucket's tokens, refilled continuously; synchronized since requests arrive on every loop. */
    private static final class Bucket {

        private double tokens;
        private long updated;
        private double capacity;
        private double perNano;

        Bucket(Config config, long now) {
            tokens = config.burstCapacity;
            updated = now;
        }

        /** @return the tokens left after this request, or -1 when it is refused */
        synchronized long take(Config config, long now) {
            capacity = config.burstCapacity;
            perNano = config.replenishRate / (double) TimeUnit.SECONDS.toNanos(1);
            tokens = Math.min(capacity, tokens + (now - updated) * perNano);
            updated = now;
            if (tokens >= config.requestedTokens) {
                tokens -= config.requestedTokens;
                return (long) tokens;
            }
            return -1;
        }

        synchronized boolean fullAt(long now) {
            return tokens + (now - updated) * perNano >= capacity;
        }
    }

    /** Per-route settings; without arguments a route gets 10 requests a second, bursts of 20. */
    public static class Config {

        private int replenishRate = 10;
        private int burstCapacity = 20;
        private int requestedTokens = 1;

        public int getReplenishRate() {
            return replenishRate;
        }

        public Config setReplenishRate(int replenishRate) {
            this.replenishRate = replenishRate;
            return this;
        }

        public int getBurstCapacity() {
            return burstCapacity;
        }

        public Config setBurstCapacity(int burstCapacity) {
            this.burstCapacity = burstCapacity;
            return this;
        }

        public int getRequestedTokens() {
            return requestedTokens;
        }

        public Config setRequestedTokens(int requestedTokens) {
            this.requestedTokens = requestedTokens;
            return this;
        }
    }
}
