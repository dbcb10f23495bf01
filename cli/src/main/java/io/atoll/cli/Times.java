package io.atoll.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Times in tables: the API's instants to the second, in UTC as it sends them (Z). */
final class Times {

    private Times() {
    }

    static String shown(String instant) {
        if (instant == null) {
            return null;
        }
        try {
            return Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return instant;
        }
    }
}
