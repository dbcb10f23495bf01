package io.atoll.platform.dashboard;

import de.codecentric.boot.admin.server.config.EnableAdminServer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot Admin's server at {@code /admin}: it finds Atoll's services where they register in
 * ZooKeeper (Spring Cloud Zookeeper discovery), and the Atoll page is one of its views.
 */
@Configuration(proxyBeanMethods = false)
@EnableAdminServer
@ConditionalOnProperty(prefix = "atoll.platform.dashboard", name = "enabled", matchIfMissing = true)
class DashboardConfiguration {
}
