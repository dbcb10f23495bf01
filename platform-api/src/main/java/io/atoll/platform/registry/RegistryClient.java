package io.atoll.platform.registry;

import java.net.URI;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Pins images: asks the registry which manifest digest a tag names now, so every instance of a
 * release runs exactly the same bytes whatever happens to the tag later.
 */
@Component
public class RegistryClient {

    private static final String MANIFEST_TYPES = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private final RegistryProperties properties;
    private final RestClient http;
    private final RestClient anonymous;

    RegistryClient(RegistryProperties properties) {
        this.properties = properties;
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
     * @throws ImageNotFoundException when the registry does not have it
     */
    public String pin(String image) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            throw new ImageNotFoundException("'" + image + "' is not a valid image reference: " + e.getMessage());
        }
        if (ref.registry() == null || ref.registry().equals(properties.pullHost())) {
            return pin(http, properties.url(), properties.pullHost(), ref, image);
        }
        // Atoll's registry credentials are for Atoll's registry only: never sent elsewhere.
        return pin(anonymous, URI.create(schemeFor(ref.registry()) + "://" + ref.registry()), ref.registry(), ref, image);
    }

    private static String pin(RestClient client, URI base, String pullHost, ImageReference ref, String image) {
        URI manifest = URI.create(base.toString().replaceAll("/+$", "")
                + "/v2/" + ref.repository() + "/manifests/" + ref.reference());
        ResponseEntity<Void> response;
        try {
            response = client.head().uri(manifest).header("Accept", MANIFEST_TYPES).retrieve()
                    .onStatus(HttpStatusCode::isError, (request, resp) -> {
                        throw new ImageNotFoundException("registry " + pullHost + " answered " + resp.getStatusCode().value()
                                + " for " + ref.repository() + ":" + ref.reference());
                    })
                    .toBodilessEntity();
        } catch (ResourceAccessException e) {
            throw new ImageNotFoundException("registry " + pullHost + " is unreachable: " + e.getMessage());
        }
        String digest = response.getHeaders().getFirst("Docker-Content-Digest");
        if (digest == null || !digest.startsWith("sha256:")) {
            throw new ImageNotFoundException("registry " + pullHost + " gave no digest for " + image);
        }
        if (ref.digest() != null && !ref.digest().equals(digest)) {
            throw new ImageNotFoundException("registry returned digest " + digest + " for " + image);
        }
        return pullHost + "/" + ref.repository() + "@" + digest;
    }

    private static String schemeFor(String host) {
        String name = host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        return name.equals("localhost") || name.startsWith("127.") ? "http" : "https";
    }

    public static class ImageNotFoundException extends RuntimeException {
        public ImageNotFoundException(String message) {
            super(message);
        }
    }
}
