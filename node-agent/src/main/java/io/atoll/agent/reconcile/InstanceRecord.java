package io.atoll.agent.reconcile;

import io.atoll.agent.config.AgentProperties;
import io.atoll.model.Assignment;
import io.atoll.model.HealthCheck;
import io.atoll.model.InstanceProblem;
import io.atoll.model.InstanceState;
import io.atoll.model.InstanceStatus;
import io.atoll.model.Resources;
import io.atoll.zk.ZkEphemeral;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * What the agent remembers about one instance between passes: the container it runs in, its
 * published state, health-check progress and crash history. Not the source of truth (ZooKeeper
 * and Docker are, re-read on every pass); losing it on restart only costs a re-adoption.
 * Guarded by its own monitor, since health probes and reconcile workers both touch it.
 */
final class InstanceRecord {

    final String instanceId;
    final String app;
    final CrashHistory crashes;

    Assignment assignment;
    HealthCheck check;
    String containerId;
    int hostPort;
    /** {@code ip:port} on the apps' network, null when the container is not on it. */
    String networkAddress;
    String startedAt;
    /** The FinishedAt of the last exit already counted, so one exit is one crash. */
    String countedExit;
    Instant restartAt;
    boolean crashLoop;
    /** How many times this agent process restarted the instance's container after it exited. */
    int restarts;
    /** The last exit, carried (with the restart count) until the instance turns HEALTHY. */
    InstanceProblem lastExit;
    Instant drainingSince;

    InstanceState state;
    Instant since;
    /** The published problem; null while all is well. */
    InstanceProblem problem;
    int failures;
    /** Probes since the health checks (re)started, and when they did ({@link System#nanoTime()}), for the log. */
    int probes;
    long checksSince;
    long healthGeneration;
    ScheduledFuture<?> healthTask;
    ZkEphemeral<InstanceStatus> status;

    InstanceRecord(Assignment assignment, AgentProperties.Restart restartPolicy) {
        this.instanceId = assignment.instanceId();
        this.app = assignment.app();
        this.assignment = assignment;
        this.crashes = new CrashHistory(restartPolicy);
    }

    /** Forgets the container, e.g. when it has been removed or could not be created. */
    void detach() {
        containerId = null;
        hostPort = 0;
        networkAddress = null;
        startedAt = null;
        countedExit = null;
    }

    boolean hasContainer() {
        return containerId != null;
    }

    Resources footprint() {
        Resources asked = assignment.resources();
        return new Resources(asked.memoryMb(), asked.cpuShares(), 1);
    }

    void cancelHealthChecks() {
        healthGeneration++;
        if (healthTask != null) {
            healthTask.cancel(false);
            healthTask = null;
        }
    }
}
