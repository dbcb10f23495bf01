package io.atoll.platform.security;

import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller is, as the platform sees them at this call: for the CLI's {@code whoami}, and for
 * the other services (build-service) that take platform-api's tokens and record who acted.
 */
@RestController
class CallerController {

    record Caller(String name, List<String> teams, boolean admin, String via) {
    }

    @GetMapping("/api/v1/me")
    Caller me(@AuthenticationPrincipal AtollUser user) {
        return new Caller(user.name(), user.teams().stream().sorted().toList(), user.admin(),
                user.via().startsWith("token:") ? "token" : user.via());
    }
}
