package io.atoll.registry.auth;

/** Who made a request: a configured user, or nobody ({@link #ANONYMOUS}). */
public record Identity(String user) {

    public static final Identity ANONYMOUS = new Identity(null);

    public boolean anonymous() {
        return user == null;
    }

    @Override
    public String toString() {
        return anonymous() ? "anonymous" : user;
    }
}
