package io.atoll.gateway.proxy;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code X-Request-Id}: the caller's own when it sent a sane one (so ids chain across proxies),
 * else a new random one. Not {@link UUID#randomUUID()}: that draws from one synchronized
 * SecureRandom, a lock every request would contend on, for ids that need to be unique, not secret.
 */
final class RequestIds {

    static final String HEADER = "X-Request-Id";

    private RequestIds() {
    }

    static String keepOrCreate(String given) {
        return given != null && isSane(given) ? given : create();
    }

    static String create() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** Characters that are safe to log and to echo in a header, at most 200 of them. */
    static boolean isSane(String id) {
        int length = id.length();
        if (length == 0 || length > 200) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '/' || c == '+' || c == '=' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
