package io.atoll.build.record;

import java.util.List;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface BuildStepRepository extends ListCrudRepository<BuildStep, String> {

    @Query("select * from build_step where build_id = :buildId order by finished_at, id")
    List<BuildStep> findByBuild(String buildId);
}
