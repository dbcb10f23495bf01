package io.atoll.platform.instances;

import java.util.List;
import org.springframework.data.repository.ListCrudRepository;

public interface DesiredInstanceRepository extends ListCrudRepository<DesiredInstance, String> {

    List<DesiredInstance> findByApp(String app);

    List<DesiredInstance> findByReleaseId(String releaseId);
}
