package io.atoll.agent.logs;

import java.time.Instant;

/**
 * What one request asks of this node's logs.
 *
 * @param app the app's instances, or null with an instance
 * @param instance one instance, or null for all of the app's
 * @param tail the last lines per instance to start with, null for all (bounded by {@code max-tail})
 * @param since lines before it are left out; null for none
 * @param follow go on with new lines (and new or restarted containers) until the client leaves
 */
record LogQuery(String app, String instance, Integer tail, Instant since, boolean follow) {

    boolean matches(String lineApp, String lineInstance) {
        return (app == null || app.equals(lineApp)) && (instance == null || instance.equals(lineInstance));
    }
}
