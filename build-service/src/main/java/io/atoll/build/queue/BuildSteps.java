package io.atoll.build.queue;

/** Runs one named step of a build: the record shows it as the current step, then its duration. */
public interface BuildSteps {

    <T> T run(String step, Step<T> body) throws InterruptedException, BuildFailure;

    @FunctionalInterface
    interface Step<T> {
        T call() throws Exception;
    }
}
