package io.atoll.model;

/** Environment variables Atoll sets in every instance (DESIGN §3). */
public final class AppEnv {

    public static final String PORT = "PORT";
    public static final String APP = "ATOLL_APP";
    public static final String RELEASE = "ATOLL_RELEASE";
    public static final String INSTANCE = "ATOLL_INSTANCE";
    public static final String ZONE = "ATOLL_ZONE";

    private AppEnv() {
    }
}
