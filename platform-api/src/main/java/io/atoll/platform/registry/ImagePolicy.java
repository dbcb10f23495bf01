package io.atoll.platform.registry;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Which images a deploy may name (DESIGN §9): a valid reference whose registry is Atoll's own (no
 * registry named, the registry's URL or its pull host) or one of
 * {@code atoll.platform.registry.allowed-registries}. platform-api connects to the registry to
 * pin the tag, so this is checked before anything connects: any other host and port is refused.
 */
@Component
public class ImagePolicy {

    private final Set<String> atolls = new HashSet<>();
    private final Set<String> allowed = new HashSet<>();

    ImagePolicy(RegistryProperties properties) {
        atolls.add(key(properties.urlAuthority()));
        atolls.add(key(properties.pullHost()));
        properties.allowedRegistries().forEach(registry -> allowed.add(key(registry)));
    }

    /**
     * @throws InvalidImageException when the reference is malformed or names a registry that is not allowed
     */
    public ImageReference check(String image) {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException("is not a valid image reference: it " + e.getMessage());
        }
        if (!isAtolls(ref) && !allowed.contains(key(ref.registry()))) {
            throw new InvalidImageException("names registry '" + ref.registry() + "', which is not allowed: images come from "
                    + "Atoll's registry (no registry in the name) or atoll.platform.registry.allowed-registries");
        }
        return ref;
    }

    /** True when the reference names Atoll's own registry, explicitly or by naming none. */
    boolean isAtolls(ImageReference ref) {
        return ref.registry() == null || atolls.contains(key(ref.registry()));
    }

    private static String key(String registry) {
        return registry.toLowerCase(Locale.ROOT);
    }

    /** An image a deploy may not use; the message completes "image '...' ". */
    public static class InvalidImageException extends RuntimeException {
        public InvalidImageException(String message) {
            super(message);
        }
    }
}
