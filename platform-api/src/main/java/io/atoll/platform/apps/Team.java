package io.atoll.platform.apps;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A team: the name ({@code cn}) of an LDAP group, at most 64 letters, digits, spaces and {@code . _ -}. */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = {})
@Pattern(regexp = "[\\p{L}\\p{N}][\\p{L}\\p{N} ._-]{0,63}")
@ReportAsSingleViolation
public @interface Team {

    String message() default "must be the name of an LDAP group: at most 64 letters, digits, spaces and . _ -";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
