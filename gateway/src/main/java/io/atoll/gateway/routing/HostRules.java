package io.atoll.gateway.routing;

import java.util.List;
import org.springframework.http.server.reactive.ServerHttpRequest;

/** The rules claiming one host, most specific first. */
record HostRules(List<AppRule> rules) {

    HostRules {
        rules = List.copyOf(rules);
    }

    AppRule match(String path, ServerHttpRequest request) {
        for (AppRule rule : rules) {
            if (rule.matches(path, request)) {
                return rule;
            }
        }
        return null;
    }
}
