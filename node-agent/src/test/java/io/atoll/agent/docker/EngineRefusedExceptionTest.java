package io.atoll.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import org.junit.jupiter.api.Test;

class EngineRefusedExceptionTest {

    @Test
    void takesDockersOwnWordsOutOfDockerJavasMessage() {
        assertThat(EngineRefusedException.messageOf(new BadRequestException("{\"message\":\"No command specified\"}\n")))
                .isEqualTo("No command specified");
        assertThat(EngineRefusedException.messageOf(new InternalServerErrorException(
                "{\"message\":\"Get \\\"http://127.0.0.1:1/v2/\\\": dial tcp 127.0.0.1:1: connect: connection refused\"}\n")))
                .isEqualTo("Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused");
        assertThat(EngineRefusedException.messageOf(new DockerClientException("Could not pull image: manifest unknown")))
                .isEqualTo("Could not pull image: manifest unknown");
    }

    @Test
    void onlyAnAnswerOfTheEngineIsARefusal() {
        assertThat(EngineRefusedException.isEngineAnswer(new BadRequestException("{}"))).isTrue();
        assertThat(EngineRefusedException.isEngineAnswer(new RuntimeException(new java.io.IOException("no socket"))))
                .isFalse();
    }
}
