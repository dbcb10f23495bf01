package io.atoll.gateway.routing;

import java.util.HashSet;
import java.util.Set;

/**
 * Where a filtered request goes once SCG's filters let it through: the rule, the app's HEALTHY
 * instances, and the instance the proxy already picked (and counted as outstanding) for the
 * first try. Carried as an exchange attribute from the proxy to the forwarding filter.
 */
public final class Upstream {

    public static final String ATTRIBUTE = Upstream.class.getName();

    private final AppRule rule;
    private final AppBackends backends;
    private final boolean repeatable;
    private final Set<String> tried = new HashSet<>(4);
    private Backend first;

    /** @param repeatable idempotent and without a body: may be tried on another instance */
    public Upstream(AppRule rule, AppBackends backends, Backend first, boolean repeatable) {
        this.rule = rule;
        this.backends = backends;
        this.first = first;
        this.repeatable = repeatable;
        tried.add(first.key());
    }

    public AppRule rule() {
        return rule;
    }

    public AppBackends backends() {
        return backends;
    }

    public boolean repeatable() {
        return repeatable;
    }

    /** Instance keys tried so far, the first included. */
    public Set<String> tried() {
        return tried;
    }

    /** The proxy's pick, once; null afterwards. Whoever takes it releases it. */
    public synchronized Backend takeFirst() {
        Backend taken = first;
        first = null;
        return taken;
    }
}
