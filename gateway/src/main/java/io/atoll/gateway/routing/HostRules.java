package io.atoll.gateway.routing;

import java.util.List;

/** The rules claiming one host, most specific first. */
record HostRules(List<AppRule> rules) {

    HostRules {
        rules = List.copyOf(rules);
    }

    AppRule match(String path, RequestAttributes request) {
        for (AppRule rule : rules) {
            if (rule.matches(path, request)) {
                return rule;
            }
        }
        return null;
    }
}
