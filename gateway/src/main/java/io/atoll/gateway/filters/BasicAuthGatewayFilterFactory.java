package io.atoll.gateway.filters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * {@code BasicAuth=user, passwordSha256}: HTTP basic authentication in front of a route, the
 * password given as the hex SHA-256 of the password (route rules live in ZooKeeper and in
 * platform-api's answers, so the password itself never does; an unsalted hash is only as strong
 * as the password, so use a long random one). A request without the right credentials gets a
 * 401 with a {@code WWW-Authenticate} challenge and never reaches an instance; the
 * {@code Authorization} header is passed on to the instance otherwise.
 */
public final class BasicAuthGatewayFilterFactory extends AbstractGatewayFilterFactory<BasicAuthGatewayFilterFactory.Config> {

    public BasicAuthGatewayFilterFactory() {
        super(Config.class);
    }

    @Override
    public List<String> shortcutFieldOrder() {
        return List.of("user", "passwordSha256");
    }

    @Override
    public GatewayFilter apply(Config config) {
        if (config.user == null || config.user.isEmpty() || config.user.contains(":")) {
            throw new IllegalArgumentException("BasicAuth needs a user without ':'");
        }
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(config.passwordSha256 == null ? "" : config.passwordSha256);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BasicAuth's passwordSha256 is not hex");
        }
        if (expected.length != 32) {
            throw new IllegalArgumentException("BasicAuth's passwordSha256 must be 64 hex digits");
        }
        byte[] user = config.user.getBytes(StandardCharsets.UTF_8);
        return (exchange, chain) -> {
            if (authorised(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION), user, expected)) {
                return chain.filter(exchange);
            }
            exchange.getResponse().setStatusCode(HttpStatus.UNAUTHORIZED);
            exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE,
                    "Basic realm=\"atoll\", charset=\"UTF-8\"");
            return exchange.getResponse().setComplete();
        };
    }

    private static boolean authorised(String header, byte[] user, byte[] expected) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return false;
        }
        byte[] given = java.util.Arrays.copyOfRange(decoded, 0, colon);
        byte[] password = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        // Both compared in constant time, and both always compared.
        boolean userMatches = MessageDigest.isEqual(given, user);
        boolean passwordMatches = MessageDigest.isEqual(sha256(password), expected);
        return userMatches & passwordMatches;
    }

    private static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static class Config {

        private String user;
        private String passwordSha256;

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPasswordSha256() {
            return passwordSha256;
        }

        public void setPasswordSha256(String passwordSha256) {
            this.passwordSha256 = passwordSha256;
        }
    }
}
