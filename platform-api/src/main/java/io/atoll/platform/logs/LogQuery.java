package io.atoll.platform.logs;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One request for an app's lines, validated.
 *
 * @param instance one instance, or null for all
 * @param tail lines per instance to start with
 * @param since lines before it are left out; null for none
 */
record LogQuery(String app, String instance, int tail, Instant since, boolean follow) {

    /** The query string of the agent's endpoint, starting after {@code since} when given (to resume). */
    String agentQuery(Instant resumeAfter) {
        StringBuilder query = new StringBuilder("app=").append(encode(app));
        if (instance != null) {
            query.append("&instance=").append(encode(instance));
        }
        Instant from = resumeAfter != null ? resumeAfter : since;
        if (resumeAfter == null) {
            query.append("&tail=").append(tail);
        }
        if (from != null) {
            query.append("&since=").append(encode(from.toString()));
        }
        return query.append("&follow=").append(follow).toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
