package io.atoll.platform.apps;

import org.springframework.data.repository.ListCrudRepository;

public interface AppRepository extends ListCrudRepository<App, String> {
}
