package io.atoll.gateway.routing;

import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;

/** The rules claiming one host, most specific first. */
record HostRules(List<AppRule> rules) {

    HostRules {
        rules = List.copyOf(rules);
    }

    AppRule match(String path, HttpHeaders headers, MultiValueMap<String, String> query) {
        for (AppRule rule : rules) {
            if (rule.matches(path, headers, query)) {
                return rule;
            }
        }
        return null;
    }
}
