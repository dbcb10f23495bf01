package io.atoll.build.record;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.stereotype.Component;

/**
 * Spring Data JDBC quotes identifiers by default, which makes table and column names case
 * sensitive and different between H2 (upper case) and PostgreSQL (lower case). Unquoted, the
 * same Flyway schema works on both.
 */
@Component
class UnquotedIdentifiers implements BeanPostProcessor {

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof RelationalMappingContext context) {
            context.setForceQuote(false);
        }
        return bean;
    }
}
