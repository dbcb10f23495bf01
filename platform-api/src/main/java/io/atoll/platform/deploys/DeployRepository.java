package io.atoll.platform.deploys;

import java.util.List;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface DeployRepository extends ListCrudRepository<Deploy, String> {

    @Query("select * from deploy where status in ('PENDING', 'RUNNING')")
    List<Deploy> findUnfinished();

    @Query("select * from deploy where app = :app and status in ('PENDING', 'RUNNING')")
    List<Deploy> findUnfinished(String app);

    @Query("select * from deploy where app = :app order by created_at desc")
    List<Deploy> findByApp(String app);
}
