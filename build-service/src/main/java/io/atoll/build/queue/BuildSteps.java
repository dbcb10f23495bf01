package io.atoll.build.queue;

/** Runs one named step of a build: the record shows it as the current step, then its duration. */
public interface BuildSteps {

    <T> T run(String step, Step<T> body) throws InterruptedException, BuildFailure;

    /** Appends a line to the build's log, which followers see at once. */
    void log(String line);

    /** Records the exact commit a ref resolved to, once the checkout knows it. */
    void resolved(String commit);

    @FunctionalInterface
    interface Step<T> {
        T call() throws Exception;
    }
}
