package io.atoll.registry.web;

import org.springframework.test.context.TestPropertySource;

/** Every Distribution API test again, with blob GETs handed to Tomcat's sendfile (off by default). */
@TestPropertySource(properties = "atoll.registry.http.sendfile=true")
class SendfileDistributionApiTest extends DistributionApiTest {
}
