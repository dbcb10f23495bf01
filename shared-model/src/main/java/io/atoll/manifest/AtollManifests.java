package io.atoll.manifest;

import io.atoll.model.HealthPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Reads an app's atoll.yml (docs/atoll-yml.md). The file comes from a pushed repository, so it is
 * read as hostile: at most {@link #MAX_BYTES} bytes of UTF-8, one document, no anchors, aliases
 * or tags, at most {@link #MAX_DEPTH} levels of nesting, no duplicate or unknown keys. Nothing is
 * constructed from the YAML: SnakeYAML composes it into nodes, which keep their line and column,
 * and only the fields below are read from them.
 */
public final class AtollManifests {

    /** Larger than any real manifest by far; a bigger file is refused before it is parsed. */
    public static final int MAX_BYTES = 64 * 1024;
    /** The manifest itself needs two (the top level, then resources, env or dependencies). */
    public static final int MAX_DEPTH = 4;

    static final int MAX_COMMAND = 4096;
    static final int MAX_ENV = 200;
    static final int MAX_ENV_VALUE = 32 * 1024;

    private static final Pattern APP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,38}[a-z0-9]");
    private static final Pattern GROUP_NAME = Pattern.compile("[a-z][a-z0-9-]{0,61}[a-z0-9]");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
    private static final Pattern MEMORY = Pattern.compile("([0-9]{1,9})(Mi|Gi)");

    private static final List<String> FIELDS = List.of("name", "type", "build", "artifact", "run", "port", "health",
            "resources", "dependencies", "env", "root");
    private static final List<String> RESOURCE_FIELDS = List.of("memory", "cpu");

    private AtollManifests() {
    }

    public static AppManifest parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads at most one byte past the limit, so that a huge or endless stream costs nothing. */
    public static AppManifest parse(InputStream in) throws IOException {
        return parse(in.readNBytes(MAX_BYTES + 1));
    }

    public static AppManifest parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw fail(0, 0, null, "larger than " + MAX_BYTES + " bytes (64 KiB), the most Atoll reads");
        }
        return parseText(decode(bytes));
    }

    public static AppManifest parse(String yaml) {
        return parse(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw fail(line, offset - lineStart + 1, null,
                    String.format("byte 0x%02x is not UTF-8; atoll.yml must be UTF-8 text", bytes[offset] & 0xff));
        }
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static AppManifest parseText(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(0);
        options.setNestingDepthLimit(MAX_DEPTH + 1);
        options.setCodePointLimit(MAX_BYTES + 1);
        options.setTagInspector(tag -> false);
        Yaml yaml = new Yaml(options);
        Node root;
        try {
            screen(yaml.parse(new StringReader(text)));
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            if (problem != null && problem.contains("(TAB)")) {
                problem = "a tab cannot indent YAML; use spaces";
            }
            throw fail(mark == null ? 1 : mark.getLine() + 1, mark == null ? 1 : mark.getColumn() + 1, null,
                    problem);
        } catch (ReaderException e) {
            int[] at = lineAndColumn(text, e.getPosition());
            throw fail(at[0], at[1], null, String.format("character U+%04X is not allowed in YAML", e.getCodePoint()));
        } catch (YAMLException e) {
            throw fail(1, 1, null, e.getMessage());
        }
        if (root == null) {
            throw fail(1, 1, null, "the file is empty; name and type are required");
        }
        if (!(root instanceof MappingNode mapping)) {
            throw fail(line(root), column(root), null, "must be a mapping of fields (name: ..., type: ...), not "
                    + kind(root));
        }
        return new Reader().manifest(mapping);
    }

    /**
     * Refuses, from the parser's events and before anything is composed, what a manifest never
     * needs and an attacker would use: anchors and aliases (the billion laughs), tags (objects
     * constructed from text), a second document, and nesting deeper than {@link #MAX_DEPTH}.
     */
    private static void screen(Iterable<Event> events) {
        int documents = 0;
        int depth = 0;
        for (Event event : events) {
            if (event instanceof DocumentStartEvent && ++documents > 1) {
                throw fail(event, "a second document; atoll.yml holds one (remove the '---')");
            }
            if (event instanceof AliasEvent) {
                throw fail(event, "aliases (*name) are not allowed in atoll.yml");
            }
            if (event instanceof NodeEvent node && node.getAnchor() != null) {
                throw fail(event, "anchors (&" + node.getAnchor() + ") are not allowed in atoll.yml");
            }
            String tag = event instanceof ScalarEvent scalar ? scalar.getTag()
                    : event instanceof CollectionStartEvent collection ? collection.getTag() : null;
            if (tag != null) {
                throw fail(event, "tags (" + tag + ") are not allowed in atoll.yml");
            }
            if (event instanceof CollectionStartEvent && ++depth > MAX_DEPTH) {
                throw fail(event, "nested more than " + MAX_DEPTH + " levels deep");
            }
            if (event instanceof CollectionEndEvent) {
                depth--;
            }
        }
    }

    /** Reads the fields from the composed nodes, collecting every error rather than stopping at the first. */
    private static final class Reader {

        private final List<ManifestError> errors = new ArrayList<>();

        AppManifest manifest(MappingNode root) {
            Map<String, NodeTuple> fields = fields(root, "", FIELDS);
            String name = text(fields, "name", "name");
            if (name != null && !APP_NAME.matcher(name).matches()) {
                error(value(fields, "name"), "name", "must be 2-40 characters: lower-case letters, digits and '-', "
                        + "starting with a letter and not ending with '-'");
            }
            AppType type = null;
            String typeName = text(fields, "type", "type");
            if (typeName != null) {
                type = AppType.fromYaml(typeName).orElse(null);
                if (type == null) {
                    error(value(fields, "type"), "type", "must be one of java, static, dockerfile, command");
                }
            }
            require(root, fields, "name");
            require(root, fields, "type");

            String build = command(fields, "build");
            String artifact = repositoryPath(fields, "artifact");
            String run = command(fields, "run");
            String served = repositoryPath(fields, "root");
            int port = port(fields);
            String health = health(fields);
            ManifestResources resources = resources(fields);
            List<String> dependencies = dependencies(fields);
            Map<String, String> env = env(fields);

            if (type != null) {
                switch (type) {
                    case JAVA -> {
                        notUsed(fields, "root", type, "a java app's image holds its artifact");
                    }
                    case STATIC -> {
                        notUsed(fields, "artifact", type, "the files under root are served");
                        notUsed(fields, "run", type, "the image's web server serves the files under root");
                        served = served == null ? AppManifest.DEFAULT_ROOT : served;
                    }
                    case DOCKERFILE -> {
                        notUsed(fields, "build", type, "the Dockerfile is the build");
                        notUsed(fields, "artifact", type, "the Dockerfile decides what the image holds");
                        notUsed(fields, "root", type, "the Dockerfile decides what the image holds");
                    }
                    case COMMAND -> {
                        require(root, fields, "build");
                        require(root, fields, "artifact");
                        require(root, fields, "run");
                        notUsed(fields, "root", type, "the image holds the artifact");
                    }
                }
            }
            if (!errors.isEmpty()) {
                errors.sort(Comparator.comparingInt(ManifestError::line).thenComparingInt(ManifestError::column));
                throw new ManifestException(errors);
            }
            if (type != AppType.STATIC) {
                served = null;
            }
            return new AppManifest(name, type, build, artifact, run, port, health, resources, dependencies, env,
                    served);
        }

        /** The keys of a mapping; a duplicate is an error (not last-wins), as is a key not in {@code known}. */
        private Map<String, NodeTuple> fields(MappingNode mapping, String prefix, List<String> known) {
            Map<String, NodeTuple> fields = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = key(tuple, prefix);
                if (key == null) {
                    continue;
                }
                if (known != null && !known.contains(key)) {
                    String hint = known.stream().filter(field -> distance(field, key) <= 2).findFirst()
                            .map(field -> "; did you mean " + field + "?")
                            .orElse(" (known: " + String.join(", ", known) + ")");
                    error(tuple.getKeyNode(), prefix + key, "unknown field" + hint);
                } else if (fields.containsKey(key)) {
                    error(tuple.getKeyNode(), prefix + key, "given twice (first on line "
                            + line(fields.get(key).getKeyNode()) + ")");
                } else {
                    fields.put(key, tuple);
                }
            }
            return fields;
        }

        private String key(NodeTuple tuple, String prefix) {
            Node key = tuple.getKeyNode();
            if (!(key instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                error(key, prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1),
                        "a key must be a plain name, not " + kind(key));
                return null;
            }
            return scalar.getValue();
        }

        private static Node value(Map<String, NodeTuple> fields, String field) {
            NodeTuple tuple = fields.get(field);
            return tuple == null ? null : tuple.getValueNode();
        }

        private void require(MappingNode root, Map<String, NodeTuple> fields, String field) {
            if (!fields.containsKey(field)) {
                error(root, field, "is required");
            }
        }

        private void notUsed(Map<String, NodeTuple> fields, String field, AppType type, String why) {
            NodeTuple tuple = fields.get(field);
            if (tuple != null) {
                error(tuple.getKeyNode(), field, "not used by type " + type.yamlName() + ": " + why);
            }
        }

        /** A scalar's text: numbers and booleans count as their text (run: 42 is "42"); empty is an error. */
        private String text(Map<String, NodeTuple> fields, String field, String path) {
            Node node = value(fields, field);
            return node == null ? null : text(node, path);
        }

        private String text(Node node, String path) {
            if (!(node instanceof ScalarNode scalar)) {
                error(node, path, "must be text, not " + kind(node));
                return null;
            }
            if (scalar.getTag().equals(Tag.NULL)) {
                error(node, path, "must not be empty (leave the field out for its default)");
                return null;
            }
            return scalar.getValue();
        }

        private String command(Map<String, NodeTuple> fields, String field) {
            String command = text(fields, field, field);
            if (command == null) {
                return null;
            }
            if (command.isBlank() || command.length() > MAX_COMMAND || command.indexOf('\0') >= 0) {
                error(value(fields, field), field, "must be a command of 1-" + MAX_COMMAND + " characters");
                return null;
            }
            return command;
        }

        /** A path inside the repository: relative, '/'-separated, never climbing out with '..'. */
        private String repositoryPath(Map<String, NodeTuple> fields, String field) {
            String path = text(fields, field, field);
            if (path == null) {
                return null;
            }
            boolean valid = !path.isEmpty() && path.length() <= 255 && !path.startsWith("/")
                    && path.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\')
                    && List.of(path.split("/", -1)).stream().noneMatch(segment -> segment.equals(".."));
            if (!valid) {
                error(value(fields, field), field, "must be a relative path inside the repository "
                        + "(at most 255 characters, '/'-separated, no '..' and no leading '/')");
                return null;
            }
            return path;
        }

        private int port(Map<String, NodeTuple> fields) {
            Node node = value(fields, "port");
            if (node == null) {
                return AppManifest.DEFAULT_PORT;
            }
            Integer port = wholeNumber(node, "port", 1, 65535, "must be a whole number between 1 and 65535");
            return port == null ? AppManifest.DEFAULT_PORT : port;
        }

        /** Only a plain decimal number: "8080" in quotes is text, 0x1F90 and 8_080 are not what anyone means. */
        private Integer wholeNumber(Node node, String path, int min, int max, String rule) {
            if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)
                    && DIGITS.matcher(scalar.getValue()).matches()) {
                int number = Integer.parseInt(scalar.getValue());
                if (number >= min && number <= max) {
                    return number;
                }
            }
            error(node, path, rule);
            return null;
        }

        private String health(Map<String, NodeTuple> fields) {
            String health = text(fields, "health", "health");
            if (health == null) {
                return AppManifest.DEFAULT_HEALTH;
            }
            if (!HealthPaths.valid(health)) {
                error(value(fields, "health"), "health", HealthPaths.RULE);
            }
            return health;
        }

        private ManifestResources resources(Map<String, NodeTuple> fields) {
            Node node = value(fields, "resources");
            if (node == null) {
                return ManifestResources.DEFAULTS;
            }
            if (!(node instanceof MappingNode mapping)) {
                error(node, "resources", "must be a mapping (memory: 512Mi, cpu: 1024), not " + kind(node));
                return ManifestResources.DEFAULTS;
            }
            Map<String, NodeTuple> given = fields(mapping, "resources.", RESOURCE_FIELDS);
            Long memoryMb = null;
            String memory = text(given, "memory", "resources.memory");
            if (memory != null) {
                Matcher size = MEMORY.matcher(memory);
                long mb = size.matches() ? Long.parseLong(size.group(1)) * (size.group(2).equals("Gi") ? 1024 : 1) : -1;
                if (mb < 16 || mb > 262144) {
                    error(value(given, "memory"), "resources.memory",
                            "must be a size such as 512Mi or 1Gi, from 16Mi to 256Gi");
                } else {
                    memoryMb = mb;
                }
            }
            Node cpu = value(given, "cpu");
            Integer shares = cpu == null ? null : wholeNumber(cpu, "resources.cpu", 2, 262144,
                    "must be CPU shares, a whole number from 2 to 262144 (1024 is one core's weight)");
            return new ManifestResources(memoryMb, shares == null ? null : shares.longValue());
        }

        private List<String> dependencies(Map<String, NodeTuple> fields) {
            Node node = value(fields, "dependencies");
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof SequenceNode sequence)) {
                error(node, "dependencies", "must be a list of IP group names, not " + kind(node));
                return List.of();
            }
            List<String> groups = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < sequence.getValue().size(); i++) {
                Node item = sequence.getValue().get(i);
                String path = "dependencies[" + i + "]";
                String group = text(item, path);
                if (group == null) {
                    continue;
                }
                if (!GROUP_NAME.matcher(group).matches()) {
                    error(item, path, "an IP group name is 2-63 characters: lower-case letters, digits and '-', "
                            + "starting with a letter and not ending with '-'");
                } else if (!seen.add(group)) {
                    error(item, path, group + " is listed twice");
                } else {
                    groups.add(group);
                }
            }
            return groups;
        }

        private Map<String, String> env(Map<String, NodeTuple> fields) {
            Node node = value(fields, "env");
            if (node == null) {
                return Map.of();
            }
            if (!(node instanceof MappingNode mapping)) {
                error(node, "env", "must be a mapping of names to values (DEBUG: \"true\"), not " + kind(node));
                return Map.of();
            }
            if (mapping.getValue().size() > MAX_ENV) {
                error(node, "env", "at most " + MAX_ENV + " variables");
            }
            Map<String, String> env = new LinkedHashMap<>();
            fields(mapping, "env.", null).forEach((name, tuple) -> {
                String path = "env." + name;
                if (!ENV_NAME.matcher(name).matches()) {
                    error(tuple.getKeyNode(), path,
                            "a name is letters, digits and '_', not starting with a digit, at most 128");
                    return;
                }
                if (name.equals("PORT") || name.startsWith("ATOLL_")) {
                    error(tuple.getKeyNode(), path, "set by Atoll itself");
                    return;
                }
                Node valueNode = tuple.getValueNode();
                if (valueNode instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
                    error(valueNode, path, "needs a value; write \"\" for an empty one");
                    return;
                }
                String value = text(valueNode, path);
                if (value == null) {
                    return;
                }
                if (value.length() > MAX_ENV_VALUE || value.indexOf('\0') >= 0) {
                    error(valueNode, path, "a value has at most " + MAX_ENV_VALUE + " characters and no NUL");
                    return;
                }
                env.put(name, value);
            });
            return env;
        }

        private void error(Node node, String field, String message) {
            errors.add(new ManifestError(line(node), column(node), field, message));
        }
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String kind(Node node) {
        return node instanceof MappingNode ? "a mapping" : node instanceof SequenceNode ? "a list" : "a single value";
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    private static int column(Node node) {
        return node.getStartMark().getColumn() + 1;
    }

    /** SnakeYAML counts a reader error's position in code points. */
    private static int[] lineAndColumn(String text, int codePoints) {
        int line = 1;
        int column = 1;
        int index = 0;
        for (int seen = 0; seen < codePoints && index < text.length(); seen++) {
            int c = text.codePointAt(index);
            index += Character.charCount(c);
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    private static ManifestException fail(Event event, String message) {
        Mark mark = event.getStartMark();
        return fail(mark.getLine() + 1, mark.getColumn() + 1, null, message);
    }

    private static ManifestException fail(int line, int column, String field, String message) {
        return new ManifestException(List.of(new ManifestError(line, column, field, message)));
    }
}
