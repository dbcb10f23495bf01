package demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Answers / with its greeting and the instance's name; Actuator answers /actuator/health. */
@SpringBootApplication
@RestController
public class SpringHello {

    private final String greeting;
    private final String instance;

    SpringHello(@Value("${GREETING:hello}") String greeting,
            @Value("${ATOLL_INSTANCE:${HOSTNAME:?}}") String instance) {
        this.greeting = greeting;
        this.instance = instance;
    }

    @GetMapping(value = "/", produces = "text/plain")
    String hello() {
        return greeting + " (" + instance + ")\n";
    }

    public static void main(String[] args) {
        SpringApplication.run(SpringHello.class, args);
    }
}
