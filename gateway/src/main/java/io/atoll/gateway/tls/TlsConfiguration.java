package io.atoll.gateway.tls;

import io.atoll.crypto.KeySealer;
import io.atoll.gateway.config.AtollGatewayProperties;
import io.atoll.gateway.http2.Http2Properties;
import io.atoll.zk.ZkPaths;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * HTTPS is served where the gateway can open the keys platform-api sealed: by default when
 * {@code atoll.gateway.tls.encryption-key} is set. {@code atoll.gateway.tls.enabled=true} turns
 * it on without one in {@code dev} (dev's fixed key) and stops any other start for want of it;
 * {@code false} keeps it off. Not on by itself in {@code dev}: several dev gateways on one machine
 * (the end-to-end tests start them) would all want port 8443.
 */
@Configuration(proxyBeanMethods = false)
public class TlsConfiguration {

    static final String KEY_PROPERTY = "atoll.gateway.tls.encryption-key";
    private static final Logger log = LoggerFactory.getLogger(TlsConfiguration.class);

    @Bean
    @Conditional(TlsEnabled.class)
    CertificateStore certificateStore(CuratorFramework client, ZkPaths paths, TlsProperties tls,
            AtollGatewayProperties gateway, Http2Properties http2, Environment environment) {
        KeySealer sealer = KeySealer.fromConfiguration(KEY_PROPERTY, tls.encryptionKey(), tls.previousEncryptionKeys(),
                environment.matchesProfiles("dev"), "to serve HTTPS: the value of platform-api's"
                        + " atoll.platform.certificates.encryption-key (or atoll.gateway.tls.enabled=false)");
        return new CertificateStore(client, paths, sealer, tls, gateway.initialSyncTimeout(), http2.enabled());
    }

    static class TlsEnabled implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment environment = context.getEnvironment();
            String enabled = environment.getProperty("atoll.gateway.tls.enabled");
            if (enabled != null) {
                return Boolean.parseBoolean(enabled.strip());
            }
            String key = environment.getProperty(KEY_PROPERTY);
            boolean on = key != null && !key.isBlank();
            if (!on) {
                log.info("HTTPS is off: no {} to open certificate keys with (atoll.gateway.tls.enabled=true in dev"
                        + " uses dev's key)", KEY_PROPERTY);
            }
            return on;
        }
    }
}
