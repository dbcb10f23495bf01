package io.atoll.build.queue;

/** A build that failed for a reason of its own (a compile error, a bad manifest): recorded, not logged as a bug. */
public class BuildFailure extends Exception {

    private final String step;

    public BuildFailure(String step, String reason) {
        super(reason);
        this.step = step;
    }

    public String step() {
        return step;
    }
}
