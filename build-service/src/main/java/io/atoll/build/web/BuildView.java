package io.atoll.build.web;

import io.atoll.build.record.Build;
import io.atoll.build.record.BuildStatus;
import io.atoll.build.record.BuildStep;
import java.time.Instant;
import java.util.List;

/** A build as the API shows it. */
public record BuildView(String id, String app, Source source, String commit, BuildStatus status, String currentStep,
        String failedStep, String reason, String imageDigest, List<Step> steps, Trigger trigger, String supersededBy,
        Instant createdAt, Instant startedAt, Instant finishedAt) {

    public record Source(String kind, String repository, String ref) {
    }

    public record Step(String name, long durationMs) {
    }

    public record Trigger(String kind, String by, String deliveryId) {
    }

    public static BuildView of(Build b, List<BuildStep> steps) {
        return new BuildView(b.id(), b.app(), new Source(b.sourceKind(), b.repository(), b.ref()), b.commitSha(),
                b.status(), b.currentStep(), b.failedStep(), b.reason(), b.imageDigest(),
                steps.stream().map(s -> new Step(s.name(), s.durationMs())).toList(),
                new Trigger(b.triggerKind(), b.triggeredBy(), b.deliveryId()), b.supersededBy(), b.createdAt(),
                b.startedAt(), b.finishedAt());
    }
}
