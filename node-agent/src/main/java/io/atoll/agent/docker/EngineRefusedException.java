package io.atoll.agent.docker;

import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import io.atoll.model.InstanceProblem;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Docker engine answered and said no: to a pull, a create or a start. Its own words are kept
 * (Docker's {@code {"message": ...}} unwrapped), since they are what a user needs to fix the
 * release. An engine that does not answer at all is not this: that is an outage, not a verdict
 * on the instance, and stays a plain exception.
 */
public class EngineRefusedException extends RuntimeException {

    private static final Pattern STATUS_PREFIX = Pattern.compile("^Status \\d{3}: ");
    private static final Pattern JSON_MESSAGE = Pattern.compile("^\\s*\\{\\s*\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*}\\s*$",
            Pattern.DOTALL);

    private final InstanceProblem.Kind kind;
    private final String engineMessage;

    public EngineRefusedException(InstanceProblem.Kind kind, String engineMessage, Throwable cause) {
        super(kind + ": " + engineMessage, cause);
        this.kind = kind;
        this.engineMessage = engineMessage;
    }

    public InstanceProblem.Kind kind() {
        return kind;
    }

    /** What the engine said, e.g. {@code No command specified}. */
    public String engineMessage() {
        return engineMessage;
    }

    /** The same refusal with its message passed through {@code filter} (e.g. to hide secrets); no cause kept. */
    public EngineRefusedException filtered(UnaryOperator<String> filter) {
        return new EngineRefusedException(kind, filter.apply(engineMessage), null);
    }

    /** True when {@code e} is the engine's answer rather than a failure to reach it. */
    static boolean isEngineAnswer(RuntimeException e) {
        return e instanceof DockerException || e instanceof DockerClientException;
    }

    /** Docker's message out of docker-java's {@code Status 400: {"message":"..."}}. */
    static String messageOf(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        text = STATUS_PREFIX.matcher(text).replaceFirst("");
        Matcher json = JSON_MESSAGE.matcher(text);
        if (json.matches()) {
            text = unescape(json.group(1));
        }
        return text.strip();
    }

    private static String unescape(String json) {
        StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\' || i + 1 == json.length()) {
                out.append(c);
                continue;
            }
            char next = json.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b', 'f' -> { }
                case 'u' -> {
                    if (i + 4 < json.length()) {
                        out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }
}
