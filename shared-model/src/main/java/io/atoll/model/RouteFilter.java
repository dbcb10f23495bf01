package io.atoll.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Spring Cloud Gateway filter of a route rule, in SCG's own definition syntax: either the
 * shortcut {@code RewritePath=/api/(?<rest>.*), /${rest}} (a JSON string) or the expanded
 * {@code {"name":"RewritePath","args":{"regexp":"...","replacement":"..."}}}. The shortcut is
 * split as SCG splits it (on commas, each argument trimmed, empty ones dropped) into the
 * positional keys SCG binds to the factory's shortcut fields ({@code _genkey_0}, ...), so the
 * gateway hands SCG exactly what SCG would have parsed from its own YAML.
 *
 * @param args in their given order; keys are SCG's positional keys or the factory's field names
 */
public record RouteFilter(String name, Map<String, String> args) {

    /** SCG's key for the i-th shortcut argument ({@code NameUtils.generateName}). */
    public static final String POSITIONAL_PREFIX = "_genkey_";

    public RouteFilter {
        name = name == null ? "" : name.strip();
        args = args == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(args));
    }

    @JsonCreator
    public static RouteFilter parse(String shortcut) {
        if (shortcut == null) {
            return new RouteFilter("", Map.of());
        }
        int equals = shortcut.indexOf('=');
        if (equals < 0) {
            return new RouteFilter(shortcut, Map.of());
        }
        Map<String, String> args = new LinkedHashMap<>();
        int position = 0;
        for (String token : shortcut.substring(equals + 1).split(",")) {
            String value = token.strip();
            if (!value.isEmpty()) {
                args.put(POSITIONAL_PREFIX + position++, value);
            }
        }
        return new RouteFilter(shortcut.substring(0, equals), args);
    }

    /** The shortcut form, for messages and logs. */
    public String shortcut() {
        return args.isEmpty() ? name : name + "=" + String.join(", ", args.values());
    }
}
