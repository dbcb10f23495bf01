package io.atoll.logs;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code since} of a log request, as the agents and platform-api both take it. */
public final class LogSince {

    /** A duration before now, as Docker and kubectl take it: 90s, 10m, 2h, 1d. */
    private static final Pattern RELATIVE = Pattern.compile("([0-9]{1,9})([smhd])");

    private LogSince() {
    }

    /**
     * @return the instant, or null for none
     * @throws IllegalArgumentException with a message for the client, when it is neither form
     */
    public static Instant parse(String since) {
        if (since == null) {
            return null;
        }
        Matcher relative = RELATIVE.matcher(since);
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration unit = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return Instant.now().minus(unit.multipliedBy(amount));
        }
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "since must be an RFC 3339 time (2026-11-30T13:05:00Z) or a duration before now (90s, 10m, 2h, 1d)", e);
        }
    }
}
