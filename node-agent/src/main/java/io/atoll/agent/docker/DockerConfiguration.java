package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.atoll.agent.config.AgentProperties;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DockerConfiguration {

    @Bean(destroyMethod = "close")
    DockerClient dockerClient(AgentProperties properties) {
        // Unversioned: docker-java then speaks the engine's own API version (1.41 on engine 20.10).
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(properties.dockerHost().toString())
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(5))
                // Stop waits up to the grace period and a pull streams for minutes; both are bounded elsewhere.
                .responseTimeout(properties.pullTimeout().plus(properties.stopGrace()))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    @Bean
    AppNetwork appNetwork(DockerClient docker, NetworkProperties network) {
        return new AppNetwork(docker, network);
    }

    @Bean
    ContainerRuntime containerRuntime(DockerClient docker, AgentProperties properties, ContainerHardening hardening,
            AppNetwork network) {
        return new ContainerRuntime(docker, properties, hardening, network);
    }

    @Bean
    ContainerEvents containerEvents(DockerClient docker, AgentProperties properties) {
        return new ContainerEvents(docker, properties);
    }

    @Bean("docker")
    DockerHealthIndicator dockerHealthIndicator(DockerClient docker) {
        return new DockerHealthIndicator(docker);
    }
}
