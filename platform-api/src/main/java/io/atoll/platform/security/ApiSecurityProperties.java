package io.atoll.platform.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may change things through the API. Reads are open; every write (POST, PUT, PATCH,
 * DELETE) needs {@code Authorization: Bearer <token>} with one of {@code apiTokens}, unless
 * {@code anonymousWrites} is set, which only the {@code dev} profile does. With no token
 * configured outside {@code dev}, writes are refused: nothing is open by accident.
 *
 * @param apiTokens accepted bearer tokens (secrets: never logged)
 * @param anonymousWrites let anyone write; for a one-machine dev setup only
 */
@ConfigurationProperties("atoll.platform.security")
public record ApiSecurityProperties(List<String> apiTokens, boolean anonymousWrites) {

    public ApiSecurityProperties {
        apiTokens = apiTokens == null ? List.of() : apiTokens.stream().filter(t -> t != null && !t.isBlank()).toList();
    }

    @Override
    public String toString() {
        return "ApiSecurityProperties[apiTokens=" + apiTokens.size() + " configured, anonymousWrites=" + anonymousWrites + "]";
    }
}
