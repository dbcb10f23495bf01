package io.atoll.platform.certificates;

import io.atoll.json.JsonCodec;
import io.atoll.model.HostCertificate;
import io.atoll.platform.instances.DesiredStateWriter;
import io.atoll.zk.ZkPaths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The one writer of {@code /atoll/certificates/{host}}, as {@link DesiredStateWriter} is of
 * routes: SQL is the original, a change is copied to ZooKeeper right after its commit, and a
 * periodic pass on the leading replica rewrites what differs and deletes what SQL no longer has
 * (a deleted app's certificates go with its rows, and their nodes with this pass).
 */
@Component
class CertificateWriter {

    private static final Logger log = LoggerFactory.getLogger(CertificateWriter.class);

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final CertificateRepository certificates;
    private final DesiredStateWriter leader;
    private final JsonCodec codec = JsonCodec.shared();

    CertificateWriter(CuratorFramework client, ZkPaths paths, CertificateRepository certificates,
            DesiredStateWriter leader) {
        this.client = client;
        this.paths = paths;
        this.certificates = certificates;
        this.leader = leader;
    }

    /** Best effort: what fails here the next pass writes. */
    synchronized void publish(List<HostCertificate> written, List<String> deletedHosts) {
        try {
            for (HostCertificate value : written) {
                client.create().orSetData().creatingParentsIfNeeded().forPath(paths.certificate(value.host()),
                        codec.encode(value));
            }
            for (String host : deletedHosts) {
                client.delete().quietly().forPath(paths.certificate(host));
            }
        } catch (Exception e) {
            log.warn("Could not write certificates to ZooKeeper now; the next sync will: {}", e.toString());
        }
    }

    @Scheduled(initialDelayString = "${atoll.platform.sync.initial-delay:1s}",
            fixedDelayString = "${atoll.platform.sync.interval:15s}")
    synchronized void syncAll() {
        if (!leader.isLeading()) {
            return;
        }
        try {
            Map<String, byte[]> wanted = new HashMap<>();
            for (CertificateRepository.Row row : certificates.findAll()) {
                wanted.put(row.value().host(), codec.encode(row.value()));
            }
            List<String> present;
            try {
                present = client.getChildren().forPath(paths.certificates());
            } catch (KeeperException.NoNodeException e) {
                present = List.of();
            }
            for (var entry : wanted.entrySet()) {
                String path = paths.certificate(entry.getKey());
                byte[] current;
                try {
                    current = client.getData().forPath(path);
                } catch (KeeperException.NoNodeException e) {
                    current = null;
                }
                if (!Arrays.equals(current, entry.getValue())) {
                    log.info("Restoring the certificate of {} in ZooKeeper", entry.getKey());
                    client.create().orSetData().creatingParentsIfNeeded().forPath(path, entry.getValue());
                }
            }
            for (String host : present) {
                if (!wanted.containsKey(host)) {
                    log.info("Deleting the certificate of {} that SQL no longer has", host);
                    client.delete().quietly().forPath(paths.certificate(host));
                }
            }
        } catch (Exception e) {
            log.warn("Could not sync certificates to ZooKeeper; will retry: {}", e.toString());
        }
    }
}
