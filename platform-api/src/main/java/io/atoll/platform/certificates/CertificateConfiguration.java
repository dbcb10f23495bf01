package io.atoll.platform.certificates;

import io.atoll.crypto.KeySealer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class CertificateConfiguration {

    static final String PROPERTY = "atoll.platform.certificates.encryption-key";

    private static final Logger log = LoggerFactory.getLogger(CertificateConfiguration.class);

    @Bean
    KeySealer certificateKeySealer(CertificateProperties properties, Environment environment) {
        String key = properties.encryptionKey();
        if (key == null || key.isBlank()) {
            if (!environment.matchesProfiles("dev")) {
                throw new IllegalStateException(PROPERTY + " is required outside the dev profile: it seals the"
                        + " private keys of uploaded certificates (32 random bytes, base64: openssl rand -base64 32)");
            }
            log.warn("{} is not set: private keys of certificates are sealed with dev's fixed key, published in"
                    + " Atoll's source. Never use this outside dev", PROPERTY);
            // the same fixed key as a dev gateway's, so it opens what this seals
            key = KeySealer.DEV_KEY;
        }
        List<String> keys = new ArrayList<>();
        keys.add(key);
        keys.addAll(properties.previousEncryptionKeys());
        return new KeySealer(PROPERTY, keys);
    }
}
