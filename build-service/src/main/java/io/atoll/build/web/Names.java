package io.atoll.build.web;

import java.util.regex.Pattern;

/** What build-service accepts as an app name, a git ref and a repository URL. */
public final class Names {

    // platform-api's app names: a DNS label
    private static final Pattern APP = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    // git check-ref-format's main refusals: no space, control character, ~^:?*[\ or "..", no leading '-'
    private static final Pattern REF = Pattern.compile("(?!-)(?!.*\\.\\.)[^\\x00-\\x20\\x7f~^:?*\\[\\\\]{1,255}");
    private static final Pattern REPOSITORY = Pattern.compile(
            "(?:(?:file|https?|ssh|git)://[^\\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s]+)");

    private Names() {
    }

    public static String app(String app) {
        if (app == null || !APP.matcher(app).matches()) {
            throw ApiException.badRequest("app must be a lower-case DNS label (a-z, 0-9, '-', at most 63)");
        }
        return app;
    }

    public static String ref(String ref) {
        if (ref == null || !REF.matcher(ref).matches()) {
            throw ApiException.badRequest("ref must be a git branch, tag or commit (no spaces or ~^:?*[\\ or '..')");
        }
        return ref;
    }

    public static String repository(String repository) {
        if (repository == null || repository.length() > 2048 || !REPOSITORY.matcher(repository).matches()) {
            throw ApiException.badRequest(
                    "repository must be a file://, http(s)://, ssh:// or git:// URL, or user@host:path");
        }
        return repository;
    }
}
