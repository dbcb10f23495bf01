package io.atoll.build.record;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/**
 * Every change after the insert is conditional on the current status and answers how many rows
 * it changed: the queue, a cancel and a supersede can meet on one build, and exactly one wins.
 */
public interface BuildRepository extends ListCrudRepository<Build, String> {

    @Query("select * from build where app = :app order by created_at desc, id limit :limit")
    List<Build> findRecentByApp(String app, int limit);

    @Query("select * from build order by created_at desc, id limit :limit")
    List<Build> findRecent(int limit);

    /** In the order they were asked for: the queue's order. */
    @Query("select * from build where status = 'QUEUED' order by created_at, id")
    List<Build> findQueued();

    @Modifying
    @Query("update build set status = 'RUNNING', started_at = :now, version = version + 1"
            + " where id = :id and status = 'QUEUED'")
    int start(String id, Instant now);

    @Modifying
    @Query("update build set current_step = :step, version = version + 1 where id = :id and status = 'RUNNING'")
    int enterStep(String id, String step);

    @Modifying
    @Query("update build set status = :status, failed_step = :failedStep, reason = :reason,"
            + " image_digest = :imageDigest, current_step = null, finished_at = :now, version = version + 1"
            + " where id = :id and status = 'RUNNING'")
    int finish(String id, String status, String failedStep, String reason, String imageDigest, Instant now);

    @Modifying
    @Query("update build set status = 'CANCELLED', reason = :reason, finished_at = :now, version = version + 1"
            + " where id = :id and status = 'QUEUED'")
    int cancelQueued(String id, String reason, Instant now);

    /** A newer request for the same app and ref makes the older still-queued ones pointless. */
    @Modifying
    @Query("update build set status = 'SUPERSEDED', superseded_by = :newerId, reason = 'superseded by a newer build',"
            + " finished_at = :now, version = version + 1"
            + " where app = :app and ref = :ref and status = 'QUEUED' and id <> :newerId")
    int supersede(String app, String ref, String newerId, Instant now);

    /** At start-up: nothing of this process can be running yet, so a RUNNING row is a previous process's. */
    @Modifying
    @Query("update build set status = 'FAILED', failed_step = current_step, current_step = null,"
            + " reason = :reason, finished_at = :now, version = version + 1 where status = 'RUNNING'")
    int failRunning(String reason, Instant now);

    @Modifying
    @Query("update build set commit_sha = :commit, version = version + 1 where id = :id and commit_sha is null")
    int resolveCommit(String id, String commit);
}
