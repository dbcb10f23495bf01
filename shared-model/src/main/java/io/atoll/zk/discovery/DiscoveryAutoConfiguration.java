package io.atoll.zk.discovery;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.zookeeper.serviceregistry.ZookeeperRegistration;
import org.springframework.cloud.zookeeper.serviceregistry.ZookeeperServiceRegistry;
import org.springframework.context.annotation.Bean;

/** Registration for discovery in services that have Spring Cloud Zookeeper discovery (see DiscoveryDefaults). */
@AutoConfiguration(afterName = "org.springframework.cloud.zookeeper.serviceregistry.ZookeeperAutoServiceRegistrationAutoConfiguration")
@ConditionalOnClass(ZookeeperServiceRegistry.class)
@ConditionalOnProperty(prefix = "atoll.discovery", name = "enabled", matchIfMissing = true)
public class DiscoveryAutoConfiguration {

    @Bean
    @ConditionalOnBean({ZookeeperServiceRegistry.class, ZookeeperRegistration.class, CuratorFramework.class})
    DiscoveryRegistrar atollDiscoveryRegistrar(CuratorFramework curator, ZookeeperServiceRegistry registry,
            ZookeeperRegistration registration) {
        return new DiscoveryRegistrar(curator, registry, registration);
    }
}
