package io.atoll.platform.audit;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * What a handler adds to the audit event of the request it serves. Only names and identifiers go
 * here (an image, the keys a config change touched, a token's id): never a value that may be secret.
 */
public final class Audit {

    static final String DETAIL = "io.atoll.audit.detail";
    static final String APP = "io.atoll.audit.app";

    private Audit() {
    }

    public static void detail(String detail) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null) {
            request.setAttribute(DETAIL, detail, RequestAttributes.SCOPE_REQUEST);
        }
    }

    /** The app a request is about when its path does not say (the app a POST creates). */
    public static void app(String app) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null) {
            request.setAttribute(APP, app, RequestAttributes.SCOPE_REQUEST);
        }
    }
}
