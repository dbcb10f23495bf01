package io.atoll.platform.apps;

import io.atoll.model.HealthPaths;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An absolute path the agent may request on the instance, by {@link HealthPaths} (shared with
 * the {@code atoll.yml} manifest).
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = HealthPath.Validator.class)
public @interface HealthPath {

    String message() default HealthPaths.RULE;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<HealthPath, String> {

        @Override
        public boolean isValid(String path, ConstraintValidatorContext context) {
            return path == null || HealthPaths.valid(path);
        }
    }
}
