package io.atoll.bench.scg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Stock Spring Cloud Gateway: everything comes from application.yml. */
@SpringBootApplication
public class ScgPeer {

    public static void main(String[] args) {
        SpringApplication.run(ScgPeer.class, args);
    }
}
