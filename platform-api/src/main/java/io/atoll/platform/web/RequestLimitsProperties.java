package io.atoll.platform.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * @param maxBodySize the largest request body platform-api reads; a larger one is a 413. The API
 *     takes small JSON documents only
 */
@ConfigurationProperties("atoll.platform.web")
public record RequestLimitsProperties(DataSize maxBodySize) {

    public RequestLimitsProperties {
        maxBodySize = maxBodySize == null ? DataSize.ofMegabytes(1) : maxBodySize;
    }
}
