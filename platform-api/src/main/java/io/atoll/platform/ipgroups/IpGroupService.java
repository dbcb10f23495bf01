package io.atoll.platform.ipgroups;

import io.atoll.model.IpGroup;
import io.atoll.platform.apps.App;
import io.atoll.platform.apps.AppRepository;
import io.atoll.platform.apps.AppService;
import io.atoll.platform.apps.AppView;
import io.atoll.platform.control.AppNudges;
import io.atoll.platform.instances.DesiredStateWriter;
import io.atoll.platform.web.ApiException;
import io.atoll.json.JsonCodec;
import io.atoll.zk.ZkPaths;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * IP groups (DESIGN §2, issue 11 item 1): SQL holds them, ZooKeeper gets a copy at
 * {@code /atoll/ipgroups/{name}} on every change (the leader's sync pass repairs it), and the
 * node agents turn the groups an app declares into firewall rules for its containers. An app's
 * dependencies reach its instances through their assignments, rewritten by the app's next
 * reconcile, which this service asks for at once.
 */
@Service
public class IpGroupService {

    static final String NAME_PATTERN = "[a-z][a-z0-9-]{0,61}[a-z0-9]";
    private static final Logger log = LoggerFactory.getLogger(IpGroupService.class);

    private final IpGroupRepository groups;
    private final AppRepository apps;
    private final AppService appService;
    private final AppNudges nudges;
    private final CuratorFramework client;
    private final ZkPaths paths;
    private final DesiredStateWriter writer;
    private final JsonCodec codec = JsonCodec.shared();
    private final Clock clock = Clock.systemUTC();

    IpGroupService(IpGroupRepository groups, AppRepository apps, AppService appService, AppNudges nudges,
            CuratorFramework client, ZkPaths paths, DesiredStateWriter writer) {
        this.writer = writer;
        this.groups = groups;
        this.apps = apps;
        this.appService = appService;
        this.nudges = nudges;
        this.client = client;
        this.paths = paths;
    }

    List<IpGroupView> list() {
        Map<String, List<String>> users = users();
        return groups.findAll().stream().map(row -> view(row, users)).toList();
    }

    IpGroupView get(String name) {
        return view(require(name), users());
    }

    /** Creates or replaces the group; @return true when it was created */
    @Transactional
    public boolean put(String name, IpGroupRequest request) {
        checkName(name);
        List<String> errors = new ArrayList<>();
        List<String> cidrs = new ArrayList<>();
        for (int i = 0; i < request.cidrs().size(); i++) {
            String canonical = IpGroup.canonicalCidr(request.cidrs().get(i));
            if (canonical == null) {
                errors.add("cidrs[" + i + "]: " + ApiException.quote(request.cidrs().get(i))
                        + " is not an IPv4 address or CIDR (a.b.c.d or a.b.c.d/n, n from 0 to 32)");
            } else {
                cidrs.add(canonical);
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        List<Integer> ports = request.ports() == null ? List.of() : List.copyOf(new LinkedHashSet<>(request.ports()));
        cidrs = List.copyOf(new LinkedHashSet<>(cidrs));
        Instant now = clock.instant();
        IpGroupRow existing = groups.findById(name).orElse(null);
        IpGroupRow row = new IpGroupRow(name, String.join(",", cidrs),
                String.join(",", ports.stream().map(String::valueOf).toList()),
                existing == null ? now : existing.createdAt(), now, existing == null ? null : existing.version());
        groups.save(row);
        write(row.toModel());
        return existing == null;
    }

    /** Refused (409) while an app declares the group: its instances would lose what they reach. */
    @Transactional
    public void delete(String name) {
        IpGroupRow row = require(name);
        List<String> users = users().getOrDefault(name, List.of());
        if (!users.isEmpty()) {
            throw ApiException.conflict("IP group '" + name + "' is declared by app(s) " + users
                    + "; remove it from their dependencies first", Map.<String, Object>of("usedBy", users));
        }
        groups.delete(row);
        try {
            client.delete().quietly().forPath(paths.ipGroup(name));
        } catch (Exception e) {
            log.warn("Could not delete IP group {} from ZooKeeper (the sync pass will): {}", name, e.toString());
        }
    }

    /** Sets the groups the app may reach; unknown groups are a 400. */
    @Transactional
    public AppView setDependencies(String appName, DependenciesRequest request) {
        App app = appService.require(appName);
        List<String> errors = new ArrayList<>();
        List<String> wanted = List.copyOf(new LinkedHashSet<>(request.dependencies()));
        for (int i = 0; i < wanted.size(); i++) {
            String group = wanted.get(i);
            if (!group.matches(NAME_PATTERN) || !groups.existsById(group)) {
                errors.add("dependencies[" + i + "]: no IP group named " + ApiException.quote(group));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        App saved = apps.save(app.withDependencies(wanted));
        nudges.nudge(appName);
        return appService.view(saved);
    }

    /** The leader's repair pass: ZooKeeper's groups made equal to SQL's. */
    @Scheduled(initialDelayString = "${atoll.platform.sync.initial-delay:1s}",
            fixedDelayString = "${atoll.platform.sync.interval:15s}")
    public void syncAll() {
        if (!writer.isLeading()) {
            return;
        }
        try {
            Map<String, IpGroup> wanted = new java.util.HashMap<>();
            groups.findAll().forEach(row -> wanted.put(row.name(), row.toModel()));
            List<String> inZk = client.checkExists().forPath(paths.ipGroups()) == null ? List.of()
                    : client.getChildren().forPath(paths.ipGroups());
            for (IpGroup group : wanted.values()) {
                byte[] value = codec.encode(group);
                byte[] current = inZk.contains(group.name()) ? client.getData().forPath(paths.ipGroup(group.name()))
                        : null;
                if (!java.util.Arrays.equals(value, current)) {
                    log.info("Restoring IP group {} in ZooKeeper", group.name());
                    write(group);
                }
            }
            for (String name : inZk) {
                if (!wanted.containsKey(name)) {
                    log.info("Deleting IP group {} that SQL no longer has", name);
                    client.delete().quietly().forPath(paths.ipGroup(name));
                }
            }
        } catch (Exception e) {
            log.warn("Could not sync IP groups to ZooKeeper; will retry: {}", e.toString());
        }
    }

    private IpGroupRow require(String name) {
        if (!name.matches(NAME_PATTERN)) {
            throw ApiException.notFound("IP group", name);
        }
        return groups.findById(name).orElseThrow(() -> ApiException.notFound("IP group", name));
    }

    private static void checkName(String name) {
        if (!name.matches(NAME_PATTERN)) {
            throw ApiException.badRequest("an IP group name must be 2-63 characters: lower-case letters, digits and "
                    + "'-', starting with a letter: " + ApiException.quote(name));
        }
    }

    private void write(IpGroup group) {
        try {
            client.create().orSetData().creatingParentsIfNeeded().forPath(paths.ipGroup(group.name()),
                    codec.encode(group));
        } catch (Exception e) {
            log.warn("Could not write IP group {} to ZooKeeper (the sync pass will): {}", group.name(), e.toString());
        }
    }

    private Map<String, List<String>> users() {
        Map<String, List<String>> users = new java.util.HashMap<>();
        for (App app : apps.findAll()) {
            for (String group : app.dependencyList()) {
                users.computeIfAbsent(group, g -> new ArrayList<>()).add(app.name());
            }
        }
        return users;
    }

    private static IpGroupView view(IpGroupRow row, Map<String, List<String>> users) {
        IpGroup group = row.toModel();
        return new IpGroupView(group.name(), group.cidrs(), group.ports(),
                users.getOrDefault(group.name(), List.of()).stream().sorted().toList(), row.createdAt(), row.updatedAt());
    }
}
