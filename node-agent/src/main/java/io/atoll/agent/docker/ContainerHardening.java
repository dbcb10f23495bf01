package io.atoll.agent.docker;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * How every app container is confined, whatever the app asks. An app is somebody else's code:
 * it gets what an HTTP server needs and no more, so that a compromised or runaway app cannot
 * take the host's process table, regain privileges through a setuid binary, or use the kernel
 * interfaces Docker's default capabilities leave open (raw sockets, mknod, chroot, ...).
 *
 * @param pidsLimit most processes and threads one container may have (a fork bomb stops there)
 * @param noNewPrivileges {@code no-new-privileges}: setuid binaries and file capabilities gain nothing
 * @param capabilities the only capabilities kept (all others dropped): by default changing file
 *     owners and user ids, as servers that start as root and drop to a user do, and binding
 *     ports below 1024
 * @param cpuBurst CPU quota as a multiple of the instance's CPU shares (1,024 shares = 1 CPU):
 *     with 2, an instance of 256 shares may use half a CPU at most, however idle the host; 0 for
 *     no quota. The quota never exceeds the host's CPUs
 * @param readOnlyRootFilesystem the image's filesystem read-only, with a writable {@code /tmp}
 * @param tmpSize the size of that {@code /tmp} (memory, counted in the container's limit)
 */
@ConfigurationProperties("atoll.agent.containers")
public record ContainerHardening(
        Long pidsLimit,
        Boolean noNewPrivileges,
        List<String> capabilities,
        Double cpuBurst,
        Boolean readOnlyRootFilesystem,
        DataSize tmpSize) {

    public ContainerHardening {
        pidsLimit = pidsLimit == null ? 512L : pidsLimit;
        noNewPrivileges = noNewPrivileges == null || noNewPrivileges;
        capabilities = capabilities == null ? List.of("CHOWN", "SETUID", "SETGID", "NET_BIND_SERVICE")
                : List.copyOf(capabilities);
        cpuBurst = cpuBurst == null ? 4.0 : cpuBurst;
        readOnlyRootFilesystem = readOnlyRootFilesystem != null && readOnlyRootFilesystem;
        tmpSize = tmpSize == null ? DataSize.ofMegabytes(64) : tmpSize;
        for (String capability : capabilities) {
            String name = capability.strip().toUpperCase(java.util.Locale.ROOT).replaceFirst("^CAP_", "");
            if (FORBIDDEN.contains(name)) {
                // Raw sockets or network administration would let an app forge another container's
                // address, and so its firewall grants; the others reach past the container.
                throw new IllegalArgumentException("atoll.agent.containers.capabilities: " + capability
                        + " would let an app escape its confinement; it cannot be granted");
            }
        }
        if (pidsLimit < 0 || cpuBurst < 0 || tmpSize.isNegative()) {
            throw new IllegalArgumentException("atoll.agent.containers: pids-limit, cpu-burst and tmp-size must not be "
                    + "negative");
        }
    }

    /** Never granted, whatever the configuration says. */
    static final java.util.Set<String> FORBIDDEN = java.util.Set.of("ALL", "NET_RAW", "NET_ADMIN", "SYS_ADMIN",
            "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "DAC_READ_SEARCH", "BPF", "PERFMON", "MAC_ADMIN", "SYS_BOOT");

    public static ContainerHardening defaults() {
        return new ContainerHardening(null, null, null, null, null, null);
    }
}
