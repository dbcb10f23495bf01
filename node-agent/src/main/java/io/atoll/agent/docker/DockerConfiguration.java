package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import io.atoll.agent.config.AgentProperties;
import io.atoll.docker.DockerClients;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DockerConfiguration {

    @Bean(destroyMethod = "close")
    DockerClient dockerClient(AgentProperties properties) {
        // Stop waits up to the grace period and a pull streams for minutes; both are bounded elsewhere.
        return DockerClients.connect(properties.dockerHost(), 32,
                properties.pullTimeout().plus(properties.stopGrace()));
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
