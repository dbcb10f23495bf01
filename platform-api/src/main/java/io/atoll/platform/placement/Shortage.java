package io.atoll.platform.placement;

import io.atoll.model.Resources;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Why a {@link Placer} could not place every instance asked for, in figures the API can put in a 409
 * problem ({@link #describe()} for its detail, {@link #problemProperties()} for its extra members).
 *
 * <p>All figures describe the cluster before the request: {@code fit} instances of {@code each} fit
 * on the live nodes ({@code roomByZone} per zone; zones of live nodes only), and {@code shortOn}
 * counts, for each resource, the live nodes on which it is what runs out first (a node where two
 * resources run out together counts for both). Identical instances fill a node independently of the
 * order they arrive in, so {@code fit} is exact: it is also how many {@link Placer#placeWhatFits}
 * places.
 *
 * @param app the app whose instances did not fit
 * @param requested how many instances were asked for
 * @param fit how many of them fit (less than {@code requested})
 * @param each what one instance needs
 * @param roomByZone zone → how many instances of {@code each} fit there, sorted by zone
 * @param shortOn resource → number of live nodes on which it runs out first
 * @param liveNodes nodes that were considered
 * @param inMaintenance nodes skipped because they are in maintenance
 * @param excluded nodes skipped because the caller excluded them
 */
public record Shortage(
        String app,
        int requested,
        int fit,
        Resources each,
        Map<String, Integer> roomByZone,
        Map<Dimension, Integer> shortOn,
        int liveNodes,
        int inMaintenance,
        int excluded) {

    /** A resource of {@link Resources}, as named in messages. */
    public enum Dimension {
        MEMORY("memory"),
        CPU("CPU shares"),
        CONTAINERS("container slots");

        private final String label;

        Dimension(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Shortage {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(each, "each");
        roomByZone = Collections.unmodifiableMap(new TreeMap<>(roomByZone));
        shortOn = shortOn.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(shortOn));
    }

    /**
     * One sentence for a problem's detail, e.g. {@code need 4 × 512 MB / 256 CPU shares of web; room
     * for 2 (zone a: 1, b: 1, c: 0): memory is short on all 3 live nodes; not considered: 1 node in
     * maintenance}.
     */
    public String describe() {
        StringBuilder out = new StringBuilder("need ").append(requested).append(" × ").append(size(each))
                .append(" of ").append(app).append("; ");
        if (liveNodes == 0) {
            out.append("no live node");
            String skipped = skipped();
            if (!skipped.isEmpty()) {
                out.append(" (").append(skipped).append(')');
            }
            return out.toString();
        }
        out.append("room for ").append(fit);
        if (!roomByZone.isEmpty()) {
            List<String> zones = new ArrayList<>();
            roomByZone.forEach((zone, room) -> zones.add((zones.isEmpty() ? "zone " : "") + zoneName(zone) + ": " + room));
            out.append(" (").append(String.join(", ", zones)).append(')');
        }
        List<Map.Entry<Dimension, Integer>> shorts = new ArrayList<>(shortOn.entrySet());
        shorts.sort(Map.Entry.<Dimension, Integer>comparingByValue().reversed());
        for (int i = 0; i < shorts.size(); i++) {
            Dimension dimension = shorts.get(i).getKey();
            int nodes = shorts.get(i).getValue();
            if (i == 0) {
                out.append(": ").append(dimension.label()).append(dimension == Dimension.MEMORY ? " is" : " are")
                        .append(" short on ");
                if (nodes == liveNodes) {
                    out.append(liveNodes == 1 ? "the only live node" : (liveNodes == 2 ? "both" : "all " + liveNodes)
                            + " live nodes");
                } else {
                    out.append(nodes).append(" of ").append(liveNodes).append(" live node").append(liveNodes == 1 ? "" : "s");
                }
            } else {
                out.append(", ").append(dimension.label()).append(" on ").append(nodes);
            }
        }
        String skipped = skipped();
        if (!skipped.isEmpty()) {
            out.append("; not considered: ").append(skipped);
        }
        return out.toString();
    }

    /**
     * The figures as extra members of a problem+json body: {@code app}, {@code requested}, {@code fit},
     * {@code each} ({@code memoryMb}, {@code cpuShares}), {@code roomByZone}, {@code shortOn} (keyed by
     * {@link Dimension#label()}), {@code liveNodes}, {@code inMaintenance}, {@code excluded}.
     */
    public Map<String, Object> problemProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("app", app);
        properties.put("requested", requested);
        properties.put("fit", fit);
        properties.put("each", Map.of("memoryMb", each.memoryMb(), "cpuShares", each.cpuShares()));
        properties.put("roomByZone", roomByZone);
        Map<String, Integer> shorts = new LinkedHashMap<>();
        shortOn.forEach((dimension, nodes) -> shorts.put(dimension.label(), nodes));
        properties.put("shortOn", Collections.unmodifiableMap(shorts));
        properties.put("liveNodes", liveNodes);
        properties.put("inMaintenance", inMaintenance);
        properties.put("excluded", excluded);
        return Collections.unmodifiableMap(properties);
    }

    private String skipped() {
        List<String> parts = new ArrayList<>();
        if (inMaintenance > 0) {
            parts.add(inMaintenance + " node" + (inMaintenance == 1 ? "" : "s") + " in maintenance");
        }
        if (excluded > 0) {
            parts.add(excluded + (parts.isEmpty() ? " node" + (excluded == 1 ? "" : "s") : "") + " excluded");
        }
        return String.join(", ", parts);
    }

    private static String size(Resources each) {
        return each.memoryMb() + " MB / " + each.cpuShares() + " CPU shares";
    }

    private static String zoneName(String zone) {
        return zone.isEmpty() ? "(no zone)" : zone;
    }
}
