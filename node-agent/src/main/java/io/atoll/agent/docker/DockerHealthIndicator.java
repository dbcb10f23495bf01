package io.atoll.agent.docker;

import com.github.dockerjava.api.DockerClient;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** DOWN while the Docker engine does not answer a ping: the agent can neither start nor watch containers. */
class DockerHealthIndicator extends AbstractHealthIndicator {

    private final DockerClient docker;

    DockerHealthIndicator(DockerClient docker) {
        super("Docker engine unreachable");
        this.docker = docker;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        docker.pingCmd().exec();
        builder.up();
    }
}
