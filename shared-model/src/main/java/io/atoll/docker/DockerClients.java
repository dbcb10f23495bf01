package io.atoll.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.net.URI;
import java.time.Duration;

/**
 * The one way Atoll's services make a docker-java client (node-agent's runtime and log streams,
 * build-service's builders). docker-java is an optional dependency of shared-model: a service that
 * calls this brings docker-java-core and docker-java-transport-httpclient5 itself.
 */
public final class DockerClients {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private DockerClients() {
    }

    /**
     * A client of the engine at {@code host} ({@code unix:///var/run/docker.sock}, {@code tcp://...};
     * TLS from the usual {@code DOCKER_*} settings). Unversioned: docker-java then speaks the
     * engine's own API version (1.41 on engine 20.10).
     *
     * @param maxConnections how many requests may be open at once; a followed log or a waited-on
     *     container holds one for as long as it lasts
     * @param responseTimeout how long one response may take, streamed ones included: longer than the
     *     longest wait or stream the caller bounds itself
     */
    public static DockerClient connect(URI host, int maxConnections, Duration responseTimeout) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host.toString())
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(maxConnections)
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(responseTimeout)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
