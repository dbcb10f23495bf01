package io.atoll.platform.deploys;

import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/apps/{app}/deploys")
class DeployController {

    private final DeployService deploys;

    DeployController(DeployService deploys) {
        this.deploys = deploys;
    }

    /** Accepted at once; the deploy runs in the background and is polled. */
    @PostMapping
    ResponseEntity<DeployView> start(@PathVariable String app, @Valid @RequestBody DeployRequest request) {
        DeployView deploy = deploys.start(app, request);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/apps/" + app + "/deploys/" + deploy.id()))
                .body(deploy);
    }

    @GetMapping
    List<DeployView> list(@PathVariable String app) {
        return deploys.list(app);
    }

    @GetMapping("/{id}")
    DeployView get(@PathVariable String app, @PathVariable String id) {
        return deploys.get(app, id);
    }
}
