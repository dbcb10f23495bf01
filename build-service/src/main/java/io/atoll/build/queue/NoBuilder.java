package io.atoll.build.queue;

import org.springframework.stereotype.Component;

/**
 * The only builder so far: building from source (issue 13 items 3-4) is not written yet, so every
 * build that reaches a worker ends FAILED at step {@code build} with a reason that says so,
 * rather than pretending to succeed.
 */
@Component
class NoBuilder implements Builder {

    @Override
    public String build(BuildJob job, BuildSteps steps) throws BuildFailure {
        throw new BuildFailure("build", "building from source is not implemented yet (docs/build-service.md)");
    }
}
