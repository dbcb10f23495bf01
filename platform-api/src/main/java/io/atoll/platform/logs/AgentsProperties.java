package io.atoll.platform.logs;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How platform-api talks to the node agents' own HTTP endpoints (the address each agent writes in
 * its node entry).
 *
 * @param token the bearer token sent to every agent (their {@code atoll.agent.logs.token}); a
 *     secret, never logged. Without one, requests go without {@code Authorization}, which only an
 *     agent in the {@code dev} profile answers
 */
@ConfigurationProperties("atoll.platform.agents")
public record AgentsProperties(String token) {

    public AgentsProperties {
        token = token == null || token.isBlank() ? null : token;
    }

    @Override
    public String toString() {
        return "AgentsProperties[token=" + (token == null ? "none" : "***") + "]";
    }
}
