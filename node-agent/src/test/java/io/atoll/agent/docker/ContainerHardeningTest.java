package io.atoll.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerHardeningTest {

    @Test
    void noConfigurationGrantsWhatWouldLetAnAppForgeAnotherContainersAddressOrLeaveItsOwn() {
        for (String capability : List.of("NET_RAW", "cap_net_admin", "SYS_ADMIN", "ALL", " SYS_PTRACE ")) {
            assertThatThrownBy(() -> new ContainerHardening(null, null, List.of("CHOWN", capability), null, null, null))
                    .as(capability).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be granted");
        }
        assertThat(new ContainerHardening(null, null, List.of("CHOWN", "KILL"), null, null, null).capabilities())
                .containsExactly("CHOWN", "KILL");
        assertThat(ContainerHardening.defaults().capabilities())
                .containsExactly("CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE");
    }
}
