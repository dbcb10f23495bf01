package io.atoll.platform.releases;

import io.atoll.json.JsonCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An app's config vars: name to value, and whether the value is secret. Secret values reach the
 * instances' environment and nothing else: the API shows them as {@link #MASK}, the logs never.
 */
public record ConfigVars(Map<String, Var> vars) {

    public static final String MASK = "********";

    /** One variable. */
    public record Var(String value, boolean secret) {
    }

    public ConfigVars {
        vars = vars == null ? Map.of() : Map.copyOf(new TreeMap<>(vars));
    }

    public static ConfigVars empty() {
        return new ConfigVars(Map.of());
    }

    static ConfigVars fromJson(String json) {
        if (json == null || json.isBlank() || json.equals("{}")) {
            return empty();
        }
        return JsonCodec.shared().decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), ConfigVars.class);
    }

    String toJson() {
        return new String(JsonCodec.shared().encode(this), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The environment the instances get. */
    public Map<String, String> environment() {
        Map<String, String> env = new TreeMap<>();
        vars.forEach((name, var) -> env.put(name, var.value()));
        return env;
    }

    /** What the API shows: secret values masked. */
    public Map<String, Object> masked() {
        Map<String, Object> shown = new LinkedHashMap<>();
        new TreeMap<>(vars).forEach((name, var) -> shown.put(name,
                Map.of("value", var.secret() ? MASK : var.value(), "secret", var.secret())));
        return shown;
    }

    public ConfigVars with(Map<String, Var> changes) {
        Map<String, Var> merged = new TreeMap<>(vars);
        changes.forEach((name, var) -> {
            if (var == null) {
                merged.remove(name);
            } else {
                merged.put(name, var);
            }
        });
        return new ConfigVars(merged);
    }
}
