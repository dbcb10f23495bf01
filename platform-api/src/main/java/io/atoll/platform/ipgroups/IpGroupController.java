package io.atoll.platform.ipgroups;

import io.atoll.platform.apps.AppView;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/ipgroups} and an app's {@code dependencies}. */
@RestController
class IpGroupController {

    private final IpGroupService groups;

    IpGroupController(IpGroupService groups) {
        this.groups = groups;
    }

    @GetMapping("/api/v1/ipgroups")
    List<IpGroupView> list() {
        return groups.list();
    }

    @GetMapping("/api/v1/ipgroups/{name}")
    IpGroupView get(@PathVariable String name) {
        return groups.get(name);
    }

    @PutMapping("/api/v1/ipgroups/{name}")
    ResponseEntity<IpGroupView> put(@PathVariable String name, @Valid @RequestBody IpGroupRequest request) {
        boolean created = groups.put(name, request);
        IpGroupView view = groups.get(name);
        return created ? ResponseEntity.created(URI.create("/api/v1/ipgroups/" + name)).body(view)
                : ResponseEntity.ok(view);
    }

    @DeleteMapping("/api/v1/ipgroups/{name}")
    ResponseEntity<Void> delete(@PathVariable String name) {
        groups.delete(name);
        return ResponseEntity.noContent().build();
    }

    @PutMapping("/api/v1/apps/{app}/dependencies")
    AppView dependencies(@PathVariable String app, @Valid @RequestBody DependenciesRequest request) {
        return groups.setDependencies(app, request);
    }
}
