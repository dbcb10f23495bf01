package io.atoll.platform.ipgroups;

import org.springframework.data.repository.ListCrudRepository;

public interface IpGroupRepository extends ListCrudRepository<IpGroupRow, String> {
}
