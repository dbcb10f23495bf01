package io.atoll.platform.tokens;

import io.atoll.platform.audit.Audit;
import io.atoll.platform.security.AtollUser;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/tokens")
class TokenController {

    private final TokenService tokens;

    TokenController(TokenService tokens) {
        this.tokens = tokens;
    }

    /** Issued for a directory password (Basic); the value is in this answer and nowhere else, ever. */
    @PostMapping
    ResponseEntity<IssuedToken> issue(@AuthenticationPrincipal AtollUser user,
            @Valid @RequestBody(required = false) CreateTokenRequest request) {
        IssuedToken issued = tokens.issue(user, request);
        Audit.detail("token " + issued.id() + " (" + issued.name() + "), expires " + issued.expiresAt());
        return ResponseEntity.created(URI.create("/api/v1/tokens/" + issued.id())).body(issued);
    }

    @GetMapping
    List<TokenView> list(@AuthenticationPrincipal AtollUser user, @RequestParam(defaultValue = "false") boolean all) {
        return tokens.list(user, all);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@AuthenticationPrincipal AtollUser user, @PathVariable String id) {
        Audit.detail("token " + id);
        tokens.revoke(user, id);
        return ResponseEntity.noContent().build();
    }
}
