package io.atoll.platform.formation;

import org.springframework.data.repository.ListCrudRepository;

public interface FormationRepository extends ListCrudRepository<Formation, String> {
}
