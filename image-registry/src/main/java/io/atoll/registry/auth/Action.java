package io.atoll.registry.auth;

/** What a request does to a repository. Deleting counts as pushing, as in the reference registry's token scopes. */
public enum Action {
    PULL,
    PUSH
}
