package io.atoll.platform.security;

/** Whether a caller may read and change an app (the apps feature knows each app's team). */
public interface AppPermissions {

    /** True for an app that does not exist, so that the caller gets its 404. */
    boolean allows(AtollUser user, String app);
}
