package io.atoll.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a team writes in atoll.yml, and what it is told when a field is wrong (docs/atoll-yml.md). */
class AtollManifestsTest {

    @Test
    void aJavaAppNeedsOnlyItsNameAndTypeAndGetsTheDefaults() {
        AppManifest manifest = AtollManifests.parse("""
                name: orders
                type: java
                """);
        assertThat(manifest.name()).isEqualTo("orders");
        assertThat(manifest.type()).isEqualTo(AppType.JAVA);
        assertThat(manifest.build()).isNull();
        assertThat(manifest.artifact()).isNull();
        assertThat(manifest.run()).isNull();
        assertThat(manifest.port()).isEqualTo(8080);
        assertThat(manifest.health()).isEqualTo("/healthz");
        assertThat(manifest.resources()).isEqualTo(new ManifestResources(null, null));
        assertThat(manifest.dependencies()).isEmpty();
        assertThat(manifest.env()).isEmpty();
        assertThat(manifest.root()).isNull();
    }

    @Test
    void aJavaAppWithEveryFieldKeepsThemAll() {
        AppManifest manifest = AtollManifests.parse("""
                # the orders service
                name: orders
                type: java
                build: ./gradlew --no-daemon bootJar
                artifact: build/libs/orders.jar
                run: java -XX:+UseSerialGC -jar build/libs/orders.jar
                port: 9000
                health: /actuator/health
                resources:
                  memory: 1Gi
                  cpu: 512
                dependencies: [payments-db, mail]
                env:
                  SPRING_PROFILES_ACTIVE: prod
                  DEBUG: false
                  RETRIES: 3
                """);
        assertThat(manifest.build()).isEqualTo("./gradlew --no-daemon bootJar");
        assertThat(manifest.artifact()).isEqualTo("build/libs/orders.jar");
        assertThat(manifest.run()).isEqualTo("java -XX:+UseSerialGC -jar build/libs/orders.jar");
        assertThat(manifest.port()).isEqualTo(9000);
        assertThat(manifest.health()).isEqualTo("/actuator/health");
        assertThat(manifest.resources()).isEqualTo(new ManifestResources(1024L, 512L));
        assertThat(manifest.dependencies()).containsExactly("payments-db", "mail");
        // Numbers and booleans are environment text as written, and the variables come sorted.
        assertThat(manifest.env()).containsExactly(Map.entry("DEBUG", "false"), Map.entry("RETRIES", "3"),
                Map.entry("SPRING_PROFILES_ACTIVE", "prod"));
    }

    @Test
    void aStaticSiteServesTheRepositoryRootUnlessToldOtherwise() {
        assertThat(AtollManifests.parse("name: docs\ntype: static\n").root()).isEqualTo(".");
        AppManifest built = AtollManifests.parse("""
                name: docs
                type: static
                build: npm ci && npm run build
                root: dist
                """);
        assertThat(built.build()).isEqualTo("npm ci && npm run build");
        assertThat(built.root()).isEqualTo("dist");
        assertThat(built.run()).isNull();
    }

    @Test
    void aDockerfileAppMayOverrideTheCommand() {
        AppManifest manifest = AtollManifests.parse("""
                name: legacy
                type: dockerfile
                run: /app/start --port 8080
                """);
        assertThat(manifest.type()).isEqualTo(AppType.DOCKERFILE);
        assertThat(manifest.run()).isEqualTo("/app/start --port 8080");
        assertThat(manifest.build()).isNull();
        assertThat(AtollManifests.parse("name: legacy\ntype: dockerfile\n").run()).isNull();
    }

    @Test
    void aCommandAppTakesAMultiLineBuild() {
        AppManifest manifest = AtollManifests.parse("""
                name: api-2
                type: command
                build: |
                  go mod download
                  go build -o bin/api ./cmd/api
                artifact: bin/api
                run: bin/api
                resources: {memory: 256Mi}
                """);
        assertThat(manifest.build()).isEqualTo("go mod download\ngo build -o bin/api ./cmd/api\n");
        assertThat(manifest.artifact()).isEqualTo("bin/api");
        assertThat(manifest.run()).isEqualTo("bin/api");
        assertThat(manifest.resources()).isEqualTo(new ManifestResources(256L, null));
    }

    @Test
    void aCommandAppWithoutItsBuildArtifactOrRunIsToldEachOne() {
        assertThat(errors("name: api\ntype: command\n")).containsExactly(
                "atoll.yml:1:1: build: is required",
                "atoll.yml:1:1: artifact: is required",
                "atoll.yml:1:1: run: is required");
    }

    @Test
    void aMissingNameAndTypeAreRequired() {
        assertThat(errors("port: 8080\n")).containsExactly(
                "atoll.yml:1:1: name: is required", "atoll.yml:1:1: type: is required");
    }

    @Test
    void eachFieldsErrorPointsAtItsLineAndColumn() {
        List<String> errors = errors("""
                name: Orders_1
                type: jar
                build: ""
                artifact: ../../etc/passwd
                run: [java, -jar]
                port: 70000
                health: healthz
                resources:
                  memory: 512MB
                  cpu: 1
                dependencies: [db, Not_A_Group, db]
                env:
                  PORT: "9000"
                  ATOLL_TOKEN: x
                  1BAD: x
                  EMPTY:
                """);
        assertThat(errors).containsExactly(
                "atoll.yml:1:7: name: must be 2-40 characters: lower-case letters, digits and '-', "
                        + "starting with a letter and not ending with '-'",
                "atoll.yml:2:7: type: must be one of java, static, dockerfile, command",
                "atoll.yml:3:8: build: must be a command of 1-4096 characters",
                "atoll.yml:4:11: artifact: must be a relative path inside the repository "
                        + "(at most 255 characters, '/'-separated, no '..' and no leading '/')",
                "atoll.yml:5:6: run: must be text, not a list",
                "atoll.yml:6:7: port: must be a whole number between 1 and 65535",
                "atoll.yml:7:9: health: must be an absolute path such as /healthz (at most 255 characters; "
                        + "segments of letters, digits and . _ ~ -; no empty, '.' or '..' segment)",
                "atoll.yml:9:11: resources.memory: must be a size such as 512Mi or 1Gi, from 16Mi to 256Gi",
                "atoll.yml:10:8: resources.cpu: must be CPU shares, a whole number from 2 to 262144 "
                        + "(1024 is one core's weight)",
                "atoll.yml:11:20: dependencies[1]: an IP group name is 2-63 characters: lower-case letters, "
                        + "digits and '-', starting with a letter and not ending with '-'",
                "atoll.yml:11:33: dependencies[2]: db is listed twice",
                "atoll.yml:13:3: env.PORT: set by Atoll itself",
                "atoll.yml:14:3: env.ATOLL_TOKEN: set by Atoll itself",
                "atoll.yml:15:3: env.1BAD: a name is letters, digits and '_', not starting with a digit, at most 128",
                "atoll.yml:16:9: env.EMPTY: needs a value; write \"\" for an empty one");
    }

    @Test
    void theErrorCarriesEachFieldsLineColumnAndName() {
        ManifestException thrown = catchThrowableOfType(ManifestException.class, () -> AtollManifests.parse("""
                name: orders
                type: java
                resources:
                  memory: 1Gi
                  cpu: lots
                """));
        assertThat(thrown.errors()).containsExactly(new ManifestError(5, 8, "resources.cpu",
                "must be CPU shares, a whole number from 2 to 262144 (1024 is one core's weight)"));
        assertThat(thrown).hasMessage("atoll.yml:5:8: resources.cpu: must be CPU shares, a whole number "
                + "from 2 to 262144 (1024 is one core's weight)");
    }

    @Test
    void aListedGroupTwiceIsAnError() {
        assertThat(errors("name: web\ntype: java\ndependencies:\n  - db\n  - db\n"))
                .containsExactly("atoll.yml:5:5: dependencies[1]: db is listed twice");
    }

    @Test
    void aTypoInAFieldNameIsAnErrorWithASuggestionNotSilentlyIgnored() {
        assertThat(errors("name: web\ntype: java\nhelth: /ready\n"))
                .containsExactly("atoll.yml:3:1: helth: unknown field; did you mean health?");
        assertThat(errors("name: web\ntype: java\nresources:\n  memroy: 1Gi\n"))
                .containsExactly("atoll.yml:4:3: resources.memroy: unknown field; did you mean memory?");
        assertThat(errors("name: web\ntype: java\nreplicas: 3\n"))
                .containsExactly("atoll.yml:3:1: replicas: unknown field (known: name, type, build, artifact, run, "
                        + "port, health, resources, dependencies, env, root)");
    }

    @Test
    void aFieldAnotherTypeUsesIsRefusedRatherThanIgnored() {
        assertThat(errors("name: site\ntype: static\nrun: nginx\nartifact: x.tar\n")).containsExactly(
                "atoll.yml:3:1: run: not used by type static: the image's web server serves the files under root",
                "atoll.yml:4:1: artifact: not used by type static: the files under root are served");
        assertThat(errors("name: legacy\ntype: dockerfile\nbuild: make\n"))
                .containsExactly("atoll.yml:3:1: build: not used by type dockerfile: the Dockerfile is the build");
        assertThat(errors("name: orders\ntype: java\nroot: web\n"))
                .containsExactly("atoll.yml:3:1: root: not used by type java: a java app's image holds its artifact");
    }

    @Test
    void valuesOfTheWrongKindAreErrorsNotCoercions() {
        assertThat(errors("""
                name: web
                type: java
                port: "8080"
                resources: 1Gi
                dependencies: db
                env: [A, B]
                """)).containsExactly(
                "atoll.yml:3:7: port: must be a whole number between 1 and 65535",
                "atoll.yml:4:12: resources: must be a mapping (memory: 512Mi, cpu: 1024), not a single value",
                "atoll.yml:5:15: dependencies: must be a list of IP group names, not a single value",
                "atoll.yml:6:6: env: must be a mapping of names to values (DEBUG: \"true\"), not a list");
        assertThat(errors("name: web\ntype: java\nport: 0x1F90\n"))
                .containsExactly("atoll.yml:3:7: port: must be a whole number between 1 and 65535");
        assertThat(errors("name: {first: a}\ntype: java\nhealth:\n"))
                .containsExactly("atoll.yml:1:7: name: must be text, not a mapping",
                        "atoll.yml:3:8: health: must not be empty (leave the field out for its default)");
    }

    @Test
    void memoryIsReadInMebibytesAndGibibytes() {
        assertThat(AtollManifests.parse("name: a1\ntype: java\nresources: {memory: 2Gi, cpu: 2048}\n").resources())
                .isEqualTo(new ManifestResources(2048L, 2048L));
        assertThat(errors("name: a1\ntype: java\nresources: {memory: 300Gi}\n")).containsExactly(
                "atoll.yml:3:21: resources.memory: must be a size such as 512Mi or 1Gi, from 16Mi to 256Gi");
    }

    static List<String> errors(String yaml) {
        ManifestException thrown = catchThrowableOfType(ManifestException.class, () -> AtollManifests.parse(yaml));
        assertThat(thrown).as("a ManifestException for %s", yaml).isNotNull();
        return thrown.errors().stream().map(ManifestError::toString).toList();
    }
}
