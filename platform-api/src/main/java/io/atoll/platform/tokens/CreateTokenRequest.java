package io.atoll.platform.tokens;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/v1/tokens}, optional as a whole.
 *
 * @param name what the token is for ({@code ci}, {@code laptop}), shown when tokens are listed
 * @param expiresInDays lifetime; the configured default when left out, never more than the maximum
 */
public record CreateTokenRequest(
        @Size(min = 1, max = 100) @Pattern(regexp = "[\\p{L}\\p{N} ._@:/+-]+", message = "letters, digits, spaces and ._@:/+- only") String name,
        @Min(1) Integer expiresInDays) {
}
