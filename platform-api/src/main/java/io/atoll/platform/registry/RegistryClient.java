package io.atoll.platform.registry;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Pins images: asks the registry which manifest digest a tag names now, so every instance of a
 * release runs exactly the same bytes whatever happens to the tag later. Only registries that
 * {@link ImagePolicy} allows are ever asked, and a failure reads as what it means for the image
 * (not found, refused, unreachable); connection details stay in this service's log, so a deploy
 * cannot be used to learn which addresses and ports answer.
 */
@Component
public class RegistryClient {

    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);

    private static final String MANIFEST_TYPES = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private final RegistryProperties properties;
    private final ImagePolicy policy;
    private final RestClient http;
    private final RestClient anonymous;

    RegistryClient(RegistryProperties properties, ImagePolicy policy) {
        this.properties = properties;
        this.policy = policy;
        // HEAD requests: HttpURLConnection follows no redirect for them, so no registry can send us elsewhere
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(5_000);
        factory.setReadTimeout(30_000);
        this.anonymous = RestClient.builder().requestFactory(factory).build();
        RestClient.Builder builder = RestClient.builder().requestFactory(factory);
        if (properties.hasCredentials()) {
            builder.defaultHeaders(headers -> headers.setBasicAuth(properties.username(), properties.password()));
        }
        this.http = builder.build();
    }

    /**
     * @return the image as nodes pull it: {@code host:port/repository@sha256:...}
     * @throws ImageNotFoundException when the image may not be used or the registry does not have it
     */
    public String pin(String image) {
        ImageReference ref;
        try {
            ref = policy.check(image);
        } catch (ImagePolicy.InvalidImageException e) {
            throw new ImageNotFoundException("image '" + image + "' " + e.getMessage());
        }
        if (policy.isAtolls(ref)) {
            return pin(http, properties.url(), properties.pullHost(), ref, image);
        }
        // Atoll's registry credentials are for Atoll's registry only: never sent elsewhere.
        return pin(anonymous, URI.create(schemeFor(ref.registry()) + "://" + ref.registry()), ref.registry(), ref, image);
    }

    private static String pin(RestClient client, URI base, String pullHost, ImageReference ref, String image) {
        URI manifest = URI.create(base.toString().replaceAll("/+$", "")
                + "/v2/" + ref.repository() + "/manifests/" + ref.reference());
        String what = ref.repository() + (ref.digest() != null ? "@" : ":") + ref.reference();
        ResponseEntity<Void> response;
        try {
            response = client.head().uri(manifest).header("Accept", MANIFEST_TYPES).retrieve()
                    .onStatus(HttpStatusCode::isError, (request, resp) -> {
                        int status = resp.getStatusCode().value();
                        throw new ImageNotFoundException(switch (status) {
                            case 404 -> "registry " + pullHost + " has no image " + what + " (HTTP 404)";
                            case 401, 403 -> "registry " + pullHost + " refused access to " + what + " (HTTP " + status + ")";
                            default -> "registry " + pullHost + " answered HTTP " + status + " for " + what;
                        });
                    })
                    .toBodilessEntity();
        } catch (ResourceAccessException e) {
            log.warn("Registry {} could not be reached for {}: {}", pullHost, what, e.getMessage());
            throw new ImageNotFoundException("registry " + pullHost + " could not be reached (see the platform-api log)");
        }
        String digest = response.getHeaders().getFirst("Docker-Content-Digest");
        if (digest == null || !digest.matches("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}")) {
            throw new ImageNotFoundException("registry " + pullHost + " gave no valid digest for " + what);
        }
        if (ref.digest() != null && !ref.digest().equals(digest)) {
            throw new ImageNotFoundException("registry " + pullHost + " returned digest " + digest + " for " + what);
        }
        return pullHost + "/" + ref.repository() + "@" + digest;
    }

    private static String schemeFor(String host) {
        String name = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return name.equals("localhost") || name.startsWith("127.") ? "http" : "https";
    }

    public static class ImageNotFoundException extends RuntimeException {
        public ImageNotFoundException(String message) {
            super(message);
        }
    }
}
