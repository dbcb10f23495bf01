package io.atoll.platform.certificates;

import io.atoll.crypto.KeySealer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class CertificateConfiguration {

    @Bean
    KeySealer certificateKeySealer(CertificateProperties properties, Environment environment) {
        // dev's fixed key is the dev gateway's too, so it opens what this seals
        return KeySealer.fromConfiguration("atoll.platform.certificates.encryption-key", properties.encryptionKey(),
                properties.previousEncryptionKeys(), environment.matchesProfiles("dev"),
                "outside the dev profile: it seals the private keys of uploaded certificates");
    }
}
