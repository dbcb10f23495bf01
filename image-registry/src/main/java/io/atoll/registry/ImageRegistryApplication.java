package io.atoll.registry;

import io.atoll.registry.auth.AuthProperties;
import io.atoll.registry.gc.GcCommand;
import io.atoll.registry.gc.GcProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

@SpringBootApplication
@EnableConfigurationProperties({RegistryProperties.class, AuthProperties.class, GcProperties.class})
public class ImageRegistryApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("gc")) {
            GcCommand.main(ImageRegistryApplication.class, java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        SpringApplication.run(ImageRegistryApplication.class, args);
    }
}
