package io.atoll.build.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spring Boot jar's {@code layers.idx} (Boot 2.3 and later write it into every repackaged jar):
 * the layers in the order an image should stack them, each with the jar entries it holds.
 *
 * <pre>
 * - "dependencies":
 *   - "BOOT-INF/lib/"
 * - "application":
 *   - "BOOT-INF/classes/"
 *   - "META-INF/"
 * </pre>
 *
 * An entry ending in {@code /} holds every name it prefixes, any other only that exact name; the
 * first layer that holds a name gets it, as Spring Boot's own {@code jarmode=tools} decides. No
 * library reads this format (Boot's reader is package-private in its jar-mode tool), so this one
 * accepts exactly the lines Boot writes and refuses anything else with the line's number.
 *
 * @param layers in the index's order, names unique
 */
record LayersIndex(List<Layer> layers) {

    /** Larger than any index Boot writes for a real app; the file is read whole. */
    static final int MAX_BYTES = 64 * 1024;
    /** overlay file systems stack at most 128 layers, the base image's included */
    static final int MAX_LAYERS = 64;

    private static final Pattern LAYER = Pattern.compile("- \"([^\"\\p{Cntrl}]+)\":");
    private static final Pattern ENTRY = Pattern.compile(" {2}- \"([^\"\\p{Cntrl}]+)\"");

    record Layer(String name, List<String> entries) {
    }

    LayersIndex {
        layers = List.copyOf(layers);
    }

    /**
     * @param location the index's name in the jar, for messages
     * @throws ImageException naming the line that is not Boot's format
     */
    static LayersIndex parse(String text, String location) throws ImageException {
        Map<String, List<String>> layers = new LinkedHashMap<>();
        List<String> current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank()) {
                continue;
            }
            Matcher layer = LAYER.matcher(line);
            Matcher entry = ENTRY.matcher(line);
            if (layer.matches()) {
                if (layers.containsKey(layer.group(1))) {
                    throw refused(location, i, "layer \"" + layer.group(1) + "\" is named twice");
                }
                if (layers.size() == MAX_LAYERS) {
                    throw refused(location, i, "more than " + MAX_LAYERS + " layers");
                }
                current = new ArrayList<>();
                layers.put(layer.group(1), current);
            } else if (entry.matches()) {
                if (current == null) {
                    throw refused(location, i, "an entry before the first layer");
                }
                current.add(entry.group(1));
            } else {
                throw refused(location, i, "neither '- \"<layer>\":' nor '  - \"<entry>\"'");
            }
        }
        if (layers.isEmpty()) {
            throw new ImageException(location + " names no layer");
        }
        List<Layer> result = new ArrayList<>();
        layers.forEach((name, entries) -> result.add(new Layer(name, List.copyOf(entries))));
        return new LayersIndex(result);
    }

    /** The layer that holds a jar entry, or null when none does. */
    String layerOf(String entryName) {
        for (Layer layer : layers) {
            for (String candidate : layer.entries()) {
                if (candidate.equals(entryName) || (candidate.endsWith("/") && entryName.startsWith(candidate))) {
                    return layer.name();
                }
            }
        }
        return null;
    }

    private static ImageException refused(String location, int index, String why) {
        return new ImageException(location + ":" + (index + 1) + ": " + why);
    }
}
