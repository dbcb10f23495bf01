package io.atoll.platform.apps;

/** The grammar of app names, shared by validation and path variables. */
final class AppNames {

    static final String PATTERN = "[a-z][a-z0-9-]{0,38}[a-z0-9]";
    static final String RULE = "must be 2-40 characters: lower-case letters, digits and '-', starting with a letter";

    private AppNames() {
    }
}
