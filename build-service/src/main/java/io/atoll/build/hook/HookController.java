package io.atoll.build.hook;

import io.atoll.build.BuildProperties;
import io.atoll.build.queue.BuildQueue;
import io.atoll.build.queue.NewBuild;
import io.atoll.build.record.Build;
import io.atoll.build.web.ApiException;
import io.atoll.build.web.Bodies;
import io.atoll.build.web.Names;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * CI webhooks (issue 13 item 6): GitHub, GitLab and a generic HMAC-signed hook, each at
 * {@code ?app=<name>} for an app listed under {@code atoll.build.apps}. The body is read once as
 * bytes, the signature checked over exactly those bytes, and only then parsed. A delivery is
 * refused (401) when unsigned, wrongly signed or for an app that is not configured, the same
 * answer so that the endpoint does not tell which apps exist; a delivery id seen before is
 * refused (409). A push to another branch than the app's is recorded and ignored (202).
 */
@RestController
@RequestMapping("/api/v1/hooks")
class HookController {

    private static final Logger log = LoggerFactory.getLogger(HookController.class);
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,255}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,12}");
    private static final String HEADS = "refs/heads/";

    private final BuildProperties properties;
    private final BuildQueue queue;
    private final Deliveries deliveries;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();

    HookController(BuildProperties properties, BuildQueue queue, Deliveries deliveries, JsonMapper json,
            MeterRegistry meters) {
        this.properties = properties;
        this.queue = queue;
        this.deliveries = deliveries;
        this.json = json;
        this.meters = meters;
    }

    @PostMapping("/github")
    ResponseEntity<Map<String, String>> github(@RequestParam String app, HttpServletRequest request) {
        Target target = target("github", app);
        byte[] body = Bodies.read(request, properties.hooks().maxBodySize());
        if (!Signatures.validSha256(request.getHeader("X-Hub-Signature-256"), target.secret(), body)) {
            throw unauthorized("github");
        }
        String delivery = deliveryId(request.getHeader("X-GitHub-Delivery"));
        JsonNode payload = Bodies.jsonObject(request, body, json);
        String event = request.getHeader("X-GitHub-Event");
        if ("ping".equals(event)) {
            return ResponseEntity.ok(Map.of("status", "pong"));
        }
        if (!"push".equals(event)) {
            return ignored("github", delivery, target, "only push events are built");
        }
        Push push = new Push(Bodies.text(payload, "/ref"), Bodies.text(payload, "/after"),
                Bodies.text(payload, "/repository/clone_url"), first(Bodies.text(payload, "/pusher/name"),
                        Bodies.text(payload, "/sender/login")));
        return accept("github", delivery, target, push);
    }

    @PostMapping("/gitlab")
    ResponseEntity<Map<String, String>> gitlab(@RequestParam String app, HttpServletRequest request) {
        Target target = target("gitlab", app);
        byte[] body = Bodies.read(request, properties.hooks().maxBodySize());
        if (!Signatures.sameToken(request.getHeader("X-Gitlab-Token"), target.secret())) {
            throw unauthorized("gitlab");
        }
        // Idempotency-Key stays the same over GitLab's retries of one event
        String delivery = deliveryId(first(request.getHeader("Idempotency-Key"),
                request.getHeader("X-Gitlab-Event-UUID")));
        JsonNode payload = Bodies.jsonObject(request, body, json);
        if (!"Push Hook".equals(request.getHeader("X-Gitlab-Event"))) {
            return ignored("gitlab", delivery, target, "only push events are built");
        }
        Push push = new Push(Bodies.text(payload, "/ref"), Bodies.text(payload, "/checkout_sha"),
                Bodies.text(payload, "/project/git_http_url"), Bodies.text(payload, "/user_username"));
        return accept("gitlab", delivery, target, push);
    }

    /**
     * {@code X-Atoll-Signature: sha256=<hex HMAC-SHA256 of "<X-Atoll-Timestamp>." + body>}; the
     * timestamp (Unix seconds) must be within {@code atoll.build.hooks.timestamp-skew} of now, so a
     * captured delivery is worthless once its id has been forgotten.
     */
    @PostMapping("/generic")
    ResponseEntity<Map<String, String>> generic(@RequestParam String app, HttpServletRequest request) {
        Target target = target("generic", app);
        byte[] body = Bodies.read(request, properties.hooks().maxBodySize());
        String timestamp = request.getHeader("X-Atoll-Timestamp");
        if (timestamp == null || !TIMESTAMP.matcher(timestamp).matches()
                || !Signatures.validSha256(request.getHeader("X-Atoll-Signature"), target.secret(),
                        (timestamp + ".").getBytes(StandardCharsets.US_ASCII), body)) {
            throw unauthorized("generic");
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(Long.parseLong(timestamp)), clock.instant()).abs();
        if (skew.compareTo(properties.hooks().timestampSkew()) > 0) {
            meters.counter("atoll.build.hooks.refused", "kind", "generic", "why", "skew").increment();
            throw new ApiException(HttpStatus.UNAUTHORIZED, "Stale delivery",
                    "X-Atoll-Timestamp is further than " + properties.hooks().timestampSkew() + " from now");
        }
        String delivery = deliveryId(request.getHeader("X-Atoll-Delivery"));
        JsonNode payload = Bodies.jsonObject(request, body, json);
        String ref = Bodies.text(payload, "/ref");
        if (ref != null && !ref.startsWith("refs/")) {
            ref = HEADS + ref;
        }
        Push push = new Push(ref, Bodies.text(payload, "/commit"), Bodies.text(payload, "/repository"),
                Bodies.text(payload, "/by"));
        return accept("generic", delivery, target, push);
    }

    private ResponseEntity<Map<String, String>> accept(String kind, String delivery, Target target, Push push) {
        if (push.ref() == null) {
            throw ApiException.badRequest("ref is missing");
        }
        if (!push.ref().equals(HEADS + target.app().branch())) {
            return ignored(kind, delivery, target, "not a push to branch " + target.app().branch());
        }
        if (push.commit() != null && push.commit().matches("0+")) {
            return ignored(kind, delivery, target, "the branch was deleted");
        }
        if (push.commit() != null && !COMMIT.matcher(push.commit()).matches()) {
            throw ApiException.badRequest("the commit must be a full hexadecimal object id");
        }
        String repository = target.app().repository() != null ? target.app().repository() : push.repository();
        if (repository == null) {
            throw ApiException.badRequest("the delivery names no repository and the app has none configured");
        }
        Names.repository(repository);
        String by = push.by() == null ? null : push.by().substring(0, Math.min(255, push.by().length()));
        Build build = queue.enqueue(new NewBuild(target.name(), repository, target.app().branch(), push.commit(), kind,
                by, delivery), () -> deliveries.record(kind, delivery, target.name()));
        meters.counter("atoll.build.hooks.accepted", "kind", kind).increment();
        log.info("{} delivery {} for {} queued build {}", kind, delivery, target.name(), build.id());
        return ResponseEntity.accepted().body(Map.of("status", "queued", "build", build.id()));
    }

    private ResponseEntity<Map<String, String>> ignored(String kind, String delivery, Target target, String why) {
        deliveries.record(kind, delivery, target.name());
        log.info("{} delivery {} for {} ignored: {}", kind, delivery, target.name(), why);
        return ResponseEntity.accepted().body(Map.of("status", "ignored", "reason", why));
    }

    private Target target(String kind, String app) {
        BuildProperties.App config = properties.apps().get(app);
        if (config == null) {
            throw unauthorized(kind);
        }
        String secret = config.secret().isEmpty() ? properties.hooks().secret() : config.secret();
        return new Target(app, config, secret);
    }

    private ApiException unauthorized(String kind) {
        meters.counter("atoll.build.hooks.refused", "kind", kind, "why", "signature").increment();
        return new ApiException(HttpStatus.UNAUTHORIZED, "Unauthorized",
                "the delivery is not signed with this app's webhook secret");
    }

    private static String deliveryId(String id) {
        if (id == null || !DELIVERY_ID.matcher(id).matches()) {
            throw ApiException.badRequest("the delivery id header is missing or malformed");
        }
        return id;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private record Target(String name, BuildProperties.App app, String secret) {
    }

    private record Push(String ref, String commit, String repository, String by) {
    }
}
