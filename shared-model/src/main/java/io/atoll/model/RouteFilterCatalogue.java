package io.atoll.model;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.util.unit.DataSize;

/**
 * The Spring Cloud Gateway filters a route rule may list, with the shape of their arguments, so
 * that platform-api (which does not run SCG) can refuse a bad definition with a 400 naming the
 * filter before it reaches ZooKeeper. Each entry follows the SCG factory's own shortcut field
 * order and field names; the gateway binds the same arguments with SCG's ConfigurationService,
 * and a definition that passes here but fails there (an SCG upgrade) is logged and skipped.
 * Filters an operator adds to the gateway as {@code GatewayFilterFactory} beans are named to
 * platform-api by configuration ({@link #withExtra}) and accepted with any arguments.
 *
 * <p>No value may hold {@code #{}: SCG evaluates such a value as a SpEL expression, and route
 * rules come from API users, not from the operator's configuration.
 */
public final class RouteFilterCatalogue {

    /** Most filters on one rule, arguments on one filter, and characters in one argument. */
    public static final int MAX_FILTERS = 16;
    public static final int MAX_ARGS = 16;
    public static final int MAX_VALUE_LENGTH = 2048;

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern STATUS_NAME = Pattern.compile("[A-Z][A-Z_]{1,40}");

    /** What an argument must be. */
    public enum Kind {
        TEXT, HEADER, REGEX, STATUS, SIZE, LOCATION, PATH, COUNT, BOOLEAN, SHA256
    }

    /** One argument: its SCG field name, kind, and whether it may be left out. */
    public record Arg(String name, Kind kind, boolean optional) {
    }

    /**
     * @param args the shortcut fields in SCG's order
     * @param named further fields accepted by name only (not in the shortcut)
     * @param open any arguments accepted (an operator's own factory)
     */
    public record Shape(List<Arg> args, List<Arg> named, boolean open) {
    }

    /**
     * Spring Cloud Gateway's own filters (5.0.2) left out of {@link #standard()}: some change where
     * a request goes after Atoll's balancer chose the instance ({@code SetRequestUri}, and
     * {@code RequestHeaderToRequestUri}, which lets any client pick the target with a header),
     * others hold bodies or sessions in memory or need infrastructure Atoll does not run. They
     * are never accepted, not even when an operator lists them as extra filters (that would
     * take them with unchecked arguments), and the gateway does not bind them either.
     */
    public static final Set<String> WITHHELD_SCG_FILTERS = Set.of("AddRequestHeadersIfNotPresent", "CacheRequestBody",
            "CircuitBreaker", "FallbackHeaders", "JsonToGrpc", "LocalResponseCache", "ModifyRequestBody",
            "ModifyResponseBody", "RemoveJsonAttributesResponseBody", "RequestHeaderToRequestUri",
            "RewriteLocationResponseHeader", "RewriteRequestParameter", "SaveSession", "SetRequestUri", "TokenRelay");

    private final Map<String, Shape> shapes;

    private RouteFilterCatalogue(Map<String, Shape> shapes) {
        this.shapes = Map.copyOf(shapes);
    }

    /** SCG's filters that make sense on an Atoll route, and Atoll's BasicAuth. */
    public static RouteFilterCatalogue standard() {
        Map<String, Shape> s = new LinkedHashMap<>();
        for (String name : List.of("AddRequestHeader", "SetRequestHeader", "SetResponseHeader")) {
            s.put(name, shape(req("name", Kind.HEADER), req("value", Kind.TEXT)));
        }
        s.put("AddResponseHeader", shape(req("name", Kind.HEADER), req("value", Kind.TEXT),
                opt("override", Kind.BOOLEAN)));
        for (String name : List.of("RemoveRequestHeader", "RemoveResponseHeader")) {
            s.put(name, shape(req("name", Kind.HEADER)));
        }
        s.put("AddRequestParameter", shape(req("name", Kind.TEXT), req("value", Kind.TEXT)));
        s.put("RemoveRequestParameter", shape(req("name", Kind.TEXT)));
        s.put("RewritePath", shape(req("regexp", Kind.REGEX), req("replacement", Kind.TEXT)));
        s.put("RewriteResponseHeader",
                shape(req("name", Kind.HEADER), req("regexp", Kind.REGEX), req("replacement", Kind.TEXT)));
        s.put("SetPath", shape(req("template", Kind.PATH)));
        s.put("PrefixPath", shape(req("prefix", Kind.PATH)));
        s.put("StripPrefix", shape(req("parts", Kind.COUNT)));
        s.put("RedirectTo", shape(req("status", Kind.STATUS), req("url", Kind.LOCATION),
                opt("includeRequestParams", Kind.BOOLEAN)));
        s.put("SetStatus", shape(req("status", Kind.STATUS)));
        // SCG's RequestSize has no shortcut fields: "RequestSize=5MB" would bind nothing and keep SCG's
        // 5 MB default, so the size must be named ({"name":"RequestSize","args":{"maxSize":"5MB"}}).
        s.put("RequestSize", new Shape(List.of(), List.of(req("maxSize", Kind.SIZE)), false));
        s.put("RequestHeaderSize", shape(req("maxSize", Kind.SIZE), opt("errorHeaderName", Kind.HEADER)));
        s.put("MapRequestHeader", shape(req("fromHeader", Kind.HEADER), req("toHeader", Kind.HEADER)));
        s.put("DedupeResponseHeader", shape(req("name", Kind.TEXT), opt("strategy", Kind.TEXT)));
        s.put("PreserveHostHeader", shape());
        s.put("SetRequestHostHeader", shape(req("host", Kind.TEXT)));
        s.put("SecureHeaders", new Shape(List.of(), List.of(opt("disable", Kind.TEXT)), false));
        s.put("RequestRateLimiter", new Shape(List.of(), List.of(opt("statusCode", Kind.STATUS),
                opt("denyEmptyKey", Kind.BOOLEAN), opt("emptyKeyStatus", Kind.STATUS),
                opt("in-memory-rate-limiter.replenishRate", Kind.COUNT),
                opt("in-memory-rate-limiter.burstCapacity", Kind.COUNT),
                opt("in-memory-rate-limiter.requestedTokens", Kind.COUNT)), false));
        s.put("Retry", new Shape(List.of(opt("retries", Kind.COUNT), opt("statuses", Kind.TEXT),
                opt("methods", Kind.TEXT)), List.of(opt("series", Kind.TEXT)), false));
        s.put("BasicAuth", shape(req("user", Kind.TEXT), req("passwordSha256", Kind.SHA256)));
        return new RouteFilterCatalogue(s);
    }

    /**
     * This catalogue and the operator's own filters, which take any arguments.
     *
     * @throws IllegalArgumentException for a name that is not a filter name (SCG's: letters and
     *     digits) or is one of {@link #WITHHELD_SCG_FILTERS}
     */
    public RouteFilterCatalogue withExtra(Collection<String> names) {
        Map<String, Shape> all = new LinkedHashMap<>(shapes);
        for (String raw : names) {
            String name = raw == null ? "" : raw.strip();
            if (!NAME.matcher(name).matches()) {
                // Refused rather than dropped: every route naming it would otherwise get a 400.
                throw new IllegalArgumentException("'" + name
                        + "' is not a filter name (letters and digits, starting with a letter, as SCG names a factory)");
            }
            if (WITHHELD_SCG_FILTERS.contains(name)) {
                // Listing it would take it with unchecked arguments: SetRequestUri would send requests past the balancer.
                throw new IllegalArgumentException(name + " is one of Spring Cloud Gateway's own filters that "
                        + "Atoll does not offer on routes; it cannot be added as an extra filter");
            }
            all.putIfAbsent(name, new Shape(List.of(), List.of(), true));
        }
        return new RouteFilterCatalogue(all);
    }

    public Set<String> names() {
        return new TreeSet<>(shapes.keySet());
    }

    /**
     * What is wrong with a rule's filters, one message per problem, each starting with
     * {@code field[i]} and the filter's name; empty when all are valid.
     */
    public List<String> problems(String field, List<RouteFilter> filters) {
        List<String> problems = new ArrayList<>();
        if (filters == null) {
            return problems;
        }
        if (filters.size() > MAX_FILTERS) {
            problems.add(field + ": at most " + MAX_FILTERS + " filters per rule");
            return problems;
        }
        for (int i = 0; i < filters.size(); i++) {
            RouteFilter filter = filters.get(i);
            String where = field + "[" + i + "]";
            if (filter == null) {
                problems.add(where + ": missing");
                continue;
            }
            String problem = problem(filter);
            if (problem != null) {
                problems.add(where + " " + printable(filter.name()) + ": " + problem);
            }
        }
        return problems;
    }

    private String problem(RouteFilter filter) {
        if (!NAME.matcher(filter.name()).matches()) {
            return "not a filter name (letters and digits, starting with a letter)";
        }
        Shape shape = shapes.get(filter.name());
        if (shape == null) {
            return "unknown filter; known: " + String.join(", ", names());
        }
        if (filter.args().size() > MAX_ARGS) {
            return "more than " + MAX_ARGS + " arguments";
        }
        for (Map.Entry<String, String> arg : filter.args().entrySet()) {
            String value = arg.getValue();
            if (!KEY.matcher(arg.getKey()).matches()) {
                return "argument name " + printable(arg.getKey()) + " is not valid";
            }
            if (value == null || value.length() > MAX_VALUE_LENGTH) {
                return "argument " + arg.getKey() + " is missing or longer than " + MAX_VALUE_LENGTH + " characters";
            }
            if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return "argument " + arg.getKey() + " holds control characters";
            }
            if (value.contains("#{")) {
                return "argument " + arg.getKey() + " holds '#{' (SCG would evaluate it as an expression)";
            }
        }
        if (shape.open()) {
            return null;
        }
        Map<String, String> bound = new LinkedHashMap<>();
        int positional = 0;
        for (Map.Entry<String, String> arg : filter.args().entrySet()) {
            String key = arg.getKey();
            Arg field;
            if (key.startsWith(RouteFilter.POSITIONAL_PREFIX)) {
                if (shape.args().isEmpty()) {
                    return "takes no shortcut arguments; name them ("
                            + String.join(", ", shape.named().stream().map(Arg::name).toList()) + ")";
                }
                if (positional >= shape.args().size()) {
                    return "takes at most " + shape.args().size() + " arguments (" + fieldList(shape) + "), got "
                            + filter.args().size();
                }
                field = shape.args().get(positional++);
            } else {
                field = find(shape, key);
                if (field == null) {
                    return "unknown argument " + key + " (takes " + fieldList(shape) + ")";
                }
            }
            if (bound.put(field.name(), arg.getValue()) != null) {
                return "argument " + field.name() + " given twice";
            }
            String problem = check(field, arg.getValue());
            if (problem != null) {
                return field.name() + " " + problem;
            }
        }
        for (Arg arg : shape.named()) {
            if (!arg.optional() && !bound.containsKey(arg.name())) {
                return "needs the argument " + arg.name() + " by name";
            }
        }
        for (Arg arg : shape.args()) {
            if (!arg.optional() && !bound.containsKey(arg.name())) {
                return "needs " + shape.args().stream().filter(a -> !a.optional()).count() + " arguments ("
                        + fieldList(shape) + "), " + arg.name() + " is missing";
            }
        }
        return null;
    }

    private static String check(Arg arg, String value) {
        switch (arg.kind()) {
            case HEADER:
                return HEADER_NAME.matcher(value).matches() ? null : "is not a header name";
            case REGEX:
                try {
                    Pattern.compile(value);
                    return null;
                } catch (PatternSyntaxException e) {
                    return "is not a valid regular expression: " + e.getDescription();
                }
            case STATUS:
                if (STATUS_NAME.matcher(value).matches()) {
                    return null;
                }
                return isInt(value, 100, 599) ? null : "is not an HTTP status (100-599 or a name such as NOT_FOUND)";
            case SIZE:
                try {
                    return DataSize.parse(value).toBytes() > 0 ? null : "must be more than 0 bytes";
                } catch (IllegalArgumentException e) {
                    return "is not a size (such as 5MB or 1024)";
                }
            case LOCATION:
                try {
                    URI uri = new URI(value);
                    boolean web = uri.isAbsolute() ? ("http".equalsIgnoreCase(uri.getScheme())
                            || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null
                            : value.startsWith("/") && !value.startsWith("//");
                    return web ? null : "must be an http(s) URL or an absolute path";
                } catch (Exception e) {
                    return "is not a URL";
                }
            case PATH:
                return value.startsWith("/") && !value.startsWith("//") ? null : "must be a path starting with /";
            case COUNT:
                return isInt(value, 0, 1_000_000_000) ? null : "must be a whole number from 0";
            case BOOLEAN:
                return value.equals("true") || value.equals("false") ? null : "must be true or false";
            case SHA256:
                return HEX_SHA256.matcher(value).matches() ? null : "must be a SHA-256 as 64 hex digits";
            default:
                return null;
        }
    }

    private static boolean isInt(String value, int min, int max) {
        try {
            int number = Integer.parseInt(value);
            return number >= min && number <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Arg find(Shape shape, String name) {
        for (Arg arg : shape.args()) {
            if (arg.name().equals(name)) {
                return arg;
            }
        }
        for (Arg arg : shape.named()) {
            if (arg.name().equals(name)) {
                return arg;
            }
        }
        return null;
    }

    private static String fieldList(Shape shape) {
        List<String> names = new ArrayList<>();
        shape.args().forEach(a -> names.add(a.optional() ? "[" + a.name() + "]" : a.name()));
        shape.named().forEach(a -> names.add(a.name() + "=..."));
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** A name as it may appear in a message: quoted, controls and overlong text cut. */
    private static String printable(String name) {
        String cut = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return "'" + cut.replaceAll("[\\p{Cntrl}]", "?") + "'";
    }

    private static Shape shape(Arg... args) {
        return new Shape(List.of(args), List.of(), false);
    }

    private static Arg req(String name, Kind kind) {
        return new Arg(name, kind, false);
    }

    private static Arg opt(String name, Kind kind) {
        return new Arg(name, kind, true);
    }
}
