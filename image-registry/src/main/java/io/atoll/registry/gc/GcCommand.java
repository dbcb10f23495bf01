package io.atoll.registry.gc;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar image-registry.jar gc [--dry-run] [--atoll.registry.storage.root=…]}: one
 * collection over the configured storage, without a web server, printing the report as JSON.
 * The reference lock is per process, so run it only while no registry serves that storage
 * (a running registry is collected through {@code POST /actuator/registrygc} instead). Without a
 * web server there is no layout migration ({@code BlobLinkMigration} is for the web application
 * only): the command never writes links or {@code layout-version}, and a dry run writes nothing.
 */
public final class GcCommand {

    private GcCommand() {
    }

    public static GcReport run(Class<?> application, String... args) {
        boolean dryRun = false;
        // As arguments, so that they win over application.yml: no schedule, no users needed.
        List<String> springArgs = new ArrayList<>(List.of("--atoll.registry.gc.interval=0", "--atoll.registry.auth.enabled=false"));
        for (String arg : args) {
            if (arg.equals("--dry-run")) {
                dryRun = true;
            } else {
                springArgs.add(arg);
            }
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off")
                .run(springArgs.toArray(String[]::new))) {
            return context.getBean(GarbageCollector.class).collect(dryRun);
        }
    }

    public static void main(Class<?> application, String... args) {
        GcReport report = run(application, args);
        System.out.println(JsonMapper.builder().findAndAddModules().build().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }
}
