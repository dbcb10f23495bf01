package io.atoll.platform.deploys;

import java.util.List;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface DeployEventRepository extends ListCrudRepository<DeployEvent, Long> {

    @Query("select * from deploy_event where deploy_id = :deployId and id > :after order by id")
    List<DeployEvent> findAfter(String deployId, long after);
}
