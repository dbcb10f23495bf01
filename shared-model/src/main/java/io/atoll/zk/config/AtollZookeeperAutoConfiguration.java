package io.atoll.zk.config;

import io.atoll.zk.ZkPaths;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one Curator client of a service. Starting it does not wait for a connection: Curator
 * connects in the background and retries, so a service comes up while ZooKeeper is away and
 * converges once it is back.
 */
// Before Spring Cloud Zookeeper's: its discovery registration then uses this client, not a second one
// that would block the start until ZooKeeper answers.
@AutoConfiguration(beforeName = "org.springframework.cloud.zookeeper.ZookeeperAutoConfiguration")
@EnableConfigurationProperties(AtollZookeeperProperties.class)
@ConditionalOnProperty(prefix = "atoll.zookeeper", name = "enabled", matchIfMissing = true)
public class AtollZookeeperAutoConfiguration {

    @Bean
    RetriesUntilClose zookeeperRetries(ApplicationContext context) {
        return new RetriesUntilClose(context);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    CuratorFramework curatorFramework(AtollZookeeperProperties properties, RetriesUntilClose retries) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(properties.effectiveConnectString())
                .sessionTimeoutMs((int) properties.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) properties.connectionTimeout().toMillis())
                .retryPolicy(retries)
                .build();
        client.start();
        return client;
    }

    @Bean
    @ConditionalOnMissingBean
    ZkPaths zkPaths(AtollZookeeperProperties properties) {
        return new ZkPaths(properties.root());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {

        /** Off with {@code management.health.zookeeper.enabled=false}, where ZooKeeper is not the service's concern. */
        @Bean
        @ConditionalOnMissingBean(name = "zookeeperHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("zookeeper")
        ZookeeperHealthIndicator zookeeperHealthIndicator(CuratorFramework client, AtollZookeeperProperties properties) {
            return new ZookeeperHealthIndicator(client, properties.effectiveConnectString());
        }
    }
}
