package io.atoll.platform.releases;

import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.deploys.DeployService;
import io.atoll.platform.deploys.DeployView;
import io.atoll.platform.web.ApiException;
import io.atoll.platform.audit.Audit;
import io.atoll.platform.web.Authors;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Config vars. {@code PUT} replaces them all, {@code PATCH} changes the ones named ({@code null}
 * removes one). A value is a string, or {@code {"value": "...", "secret": true}}: secret values
 * reach the instances' environment and are shown as {@value ConfigVars#MASK} everywhere else. A
 * change is a new release, rolled out like a deploy once the app has an image.
 */
@RestController
@RequestMapping("/api/v1/apps/{app}/config")
class ConfigController {

    /** POSIX environment names; Atoll's own and {@code PORT} are set by the agent. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final int MAX_VARS = 200;
    private static final int MAX_VALUE = 32 * 1024;

    private final AppService apps;
    private final ReleaseService releases;
    private final DeployService deploys;

    ConfigController(AppService apps, ReleaseService releases, DeployService deploys) {
        this.apps = apps;
        this.releases = releases;
        this.deploys = deploys;
    }

    @GetMapping
    Map<String, Object> get(@PathVariable String app) {
        apps.require(app);
        return current(app).masked();
    }

    @PutMapping
    ResponseEntity<Map<String, Object>> replace(@PathVariable String app, @RequestBody Map<String, Object> body,
            Authentication who) {
        App found = apps.require(app);
        ConfigVars before = current(app);
        Map<String, ConfigVars.Var> parsed = parse(body, false);
        return change(found, before, new ConfigVars(parsed), who);
    }

    @PatchMapping
    ResponseEntity<Map<String, Object>> patch(@PathVariable String app, @RequestBody Map<String, Object> body,
            Authentication who) {
        App found = apps.require(app);
        ConfigVars before = current(app);
        return change(found, before, before.with(parse(body, true)), who);
    }

    private ResponseEntity<Map<String, Object>> change(App app, ConfigVars before, ConfigVars after, Authentication who) {
        if (after.vars().size() > MAX_VARS) {
            throw ApiException.invalid(List.of("config: at most " + MAX_VARS + " vars"));
        }
        deploys.requireNoneActive(app.name());
        String author = Authors.of(who);
        String change = describe(before, after);
        Audit.detail(change);
        Release release = releases.config(app, after, change, author);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("release", ReleaseView.of(release, false));
        if (release.pinnedImage().isEmpty()) {
            // Nothing runs yet: the next deploy takes these vars.
            return ResponseEntity.ok(answer);
        }
        DeployView deploy = deploys.startRelease(app, release, null, author);
        answer.put("deploy", deploy);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/apps/" + app.name() + "/deploys/" + deploy.id()))
                .body(answer);
    }

    private ConfigVars current(String app) {
        return releases.latest(app).map(Release::configVars).orElse(ConfigVars.empty());
    }

    /** Names only: values, secret or not, never go into the ledger's words. */
    private static String describe(ConfigVars before, ConfigVars after) {
        List<String> set = new ArrayList<>();
        List<String> unset = new ArrayList<>();
        new TreeSet<>(after.vars().keySet()).forEach(name -> {
            if (!after.vars().get(name).equals(before.vars().get(name))) {
                set.add(name);
            }
        });
        new TreeSet<>(before.vars().keySet()).forEach(name -> {
            if (!after.vars().containsKey(name)) {
                unset.add(name);
            }
        });
        String text = (set.isEmpty() ? "" : "set " + String.join(", ", set))
                + (set.isEmpty() || unset.isEmpty() ? "" : "; ")
                + (unset.isEmpty() ? "" : "unset " + String.join(", ", unset));
        text = text.isEmpty() ? "no change" : text;
        return text.length() > 250 ? text.substring(0, 247) + "..." : text;
    }

    private static Map<String, ConfigVars.Var> parse(Map<String, Object> body, boolean nullRemoves) {
        if (body == null) {
            throw ApiException.invalid(List.of("config: a JSON object of names to values is required"));
        }
        if (body.size() > MAX_VARS) {
            throw ApiException.invalid(List.of("config: at most " + MAX_VARS + " vars"));
        }
        Map<String, ConfigVars.Var> vars = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        body.forEach((name, raw) -> {
            String field = ApiException.quote(name);
            if (!NAME.matcher(name).matches()) {
                errors.add(field + ": a name is letters, digits and '_', not starting with a digit, at most 128");
                return;
            }
            if (name.equals("PORT") || name.startsWith("ATOLL_")) {
                errors.add(field + ": set by Atoll itself");
                return;
            }
            if (raw == null) {
                if (nullRemoves) {
                    vars.put(name, null);
                } else {
                    errors.add(field + ": null is only meaningful in a PATCH (it removes the var)");
                }
                return;
            }
            String value;
            boolean secret = false;
            if (raw instanceof String text) {
                value = text;
            } else if (raw instanceof Map<?, ?> object && object.get("value") instanceof String text
                    && object.keySet().stream().allMatch(k -> k.equals("value") || k.equals("secret"))
                    && (object.get("secret") == null || object.get("secret") instanceof Boolean)) {
                value = text;
                secret = Boolean.TRUE.equals(object.get("secret"));
            } else {
                errors.add(field + ": a value is a string, or {\"value\": string, \"secret\": boolean}");
                return;
            }
            if (value.length() > MAX_VALUE || value.indexOf('\0') >= 0) {
                errors.add(field + ": a value has at most " + MAX_VALUE + " characters and no NUL");
                return;
            }
            vars.put(name, new ConfigVars.Var(value, secret));
        });
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return vars;
    }
}
