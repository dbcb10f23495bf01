package io.atoll.model;

/**
 * Docker labels that make a container Atoll's (DESIGN §3). They are the agent's memory: after
 * a restart it adopts the containers carrying them.
 */
public final class ContainerLabels {

    public static final String APP = "io.atoll.app";
    public static final String INSTANCE = "io.atoll.instance";
    public static final String RELEASE = "io.atoll.release";
    public static final String NODE = "io.atoll.node";

    private ContainerLabels() {
    }
}
