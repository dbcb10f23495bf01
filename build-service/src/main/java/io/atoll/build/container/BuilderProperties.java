package io.atoll.build.container;

import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code atoll.build.builder.*}: the container a build command runs in and the base images apps
 * are assembled on (docs/build-service.md, Builds).
 *
 * @param dockerHost the engine that runs builder containers; it must see this process's files,
 *     since the checkout and the cache are bind-mounted (the same host)
 * @param image the builder image, in the engine's own images (script/lib/images.sh makes it)
 * @param network the network a builder container joins: {@code none} (no network at all) unless
 *     the builds need one, for example to reach a Maven mirror
 * @param memory the container's memory, swap included
 * @param cpus how many cores' worth of CPU time it may use
 * @param timeout how long a build command may run before it is killed
 * @param pidsLimit how many processes and threads it may have at once
 * @param cacheDir where each app's cache lives ({@code <cacheDir>/<app>}: Maven's and Gradle's
 *     repositories, npm's cache); empty: {@code <atoll.build.data-dir>/cache}
 * @param mavenMirror a repository manager every Maven build goes through ({@code mirrorOf *}); empty: none
 * @param mavenOpts {@code MAVEN_OPTS} in the builder, for Maven's JVM, unless the build command sets its
 *     own; empty: the JVM's defaults. C1 alone by default: a build is one short-lived JVM on
 *     {@code cpus} CPUs, where C2's compiler threads take the CPU from the build and finish little
 *     before it ends (docs/benchmarks.md, Build). No collector named: a project's .mvn/jvm.config
 *     naming another would stop the JVM from starting
 * @param baseJava the base image of {@code java} apps, a repository:tag in Atoll's registry
 * @param baseStatic the base image of {@code static} apps, a repository:tag in Atoll's registry
 * @param baseCommand the base image of {@code command} apps (a Debian with a shell and a JRE by
 *     default), a repository:tag in Atoll's registry
 * @param warm the warm builders ({@link WarmBuilders}), which run Maven builds in one long-lived
 *     container per app
 */
@ConfigurationProperties("atoll.build.builder")
public record BuilderProperties(@DefaultValue("unix:///var/run/docker.sock") URI dockerHost,
        @DefaultValue("atoll/builder-java:local") String image, @DefaultValue("none") String network,
        @DefaultValue("2GB") DataSize memory, @DefaultValue("1.0") double cpus,
        @DefaultValue("20m") Duration timeout, @DefaultValue("4096") long pidsLimit,
        @DefaultValue("") String cacheDir, @DefaultValue("") String mavenMirror,
        @DefaultValue("-XX:TieredStopAtLevel=1") String mavenOpts,
        @DefaultValue("atoll/base-java:17") String baseJava, @DefaultValue("atoll/base-static:1") String baseStatic,
        @DefaultValue("atoll/base-java:17") String baseCommand, @DefaultValue Warm warm) {

    public BuilderProperties {
        if (memory.toMegabytes() < 64) {
            throw new IllegalArgumentException("atoll.build.builder.memory must be at least 64MB");
        }
        if (cpus <= 0) {
            throw new IllegalArgumentException("atoll.build.builder.cpus must be more than 0");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("atoll.build.builder.timeout must be positive");
        }
        if (!mavenMirror.isBlank() && !mavenMirror.matches("https?://[^\\s<>&\"']+")) {
            throw new IllegalArgumentException("atoll.build.builder.maven-mirror must be an http(s) URL");
        }
    }

    /**
     * {@code atoll.build.builder.warm.*}: the default Maven build ({@code mvn package} of a project
     * without a wrapper, a {@code .mvn/jvm.config} or {@code .mvn/extensions.xml}) runs in the app's
     * warm builder, a builder container kept for the app's next builds with one warm Maven in it.
     *
     * @param enabled false: every build in a fresh container
     * @param max how many apps may have a warm builder at once; each holds up to
     *     {@code atoll.build.builder.memory} while it lives. The least recently used goes first
     * @param idleTimeout how long a warm builder lives without a build
     * @param buildsPerContainer how many builds one warm builder runs before a fresh one replaces it
     * @param startTimeout how long a new warm builder may take to listen
     * @param sweepInterval how often idle and stray warm builders are looked for
     */
    public record Warm(@DefaultValue("true") boolean enabled, @DefaultValue("4") int max,
            @DefaultValue("15m") Duration idleTimeout, @DefaultValue("50") int buildsPerContainer,
            @DefaultValue("60s") Duration startTimeout, @DefaultValue("30s") Duration sweepInterval) {

        public Warm {
            if (max < 1 || buildsPerContainer < 1) {
                throw new IllegalArgumentException("atoll.build.builder.warm.max and builds-per-container must be at least 1");
            }
            if (Stream.of(idleTimeout, startTimeout, sweepInterval).anyMatch(d -> d.isNegative() || d.isZero())) {
                throw new IllegalArgumentException("atoll.build.builder.warm durations must be positive");
            }
        }
    }
}
