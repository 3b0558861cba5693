package io.watchtower.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The requests of a job's runs ({@code POST /services/{name}/start} and {@code /fail}) and of the
 * ping history ({@code GET /services/{name}/pings}): their paths, bodies, query and answer, for
 * {@link WatchtowerClient}, which sends them.
 */
final class Runs {
    private Runs() {}

    /**
     * {@code services/{service}/{action}}, the name encoded as one path segment.
     *
     * @throws IllegalArgumentException if {@code service} is empty
     */
    static String path(String service, String action) {
        Objects.requireNonNull(service, "service");
        return "services/" + Wire.pathSegment(service) + "/" + action;
    }

    /** The query string of {@code GET /services/{name}/pings}, or {@code null} for all that are kept. */
    static String pingsQuery(Integer limit) {
        return limit == null ? null : "limit=" + limit;
    }

    /** The body of a failure report: {@code {"message": …}}. */
    static Map<String, Object> failBody(String message) {
        return Collections.<String, Object>singletonMap("message", Objects.requireNonNull(message, "message"));
    }

    /** The answer of {@code GET /services/{name}/pings}: a JSON array of pings, unmodifiable. */
    static List<Ping> pings(Object json) {
        List<Ping> pings = new ArrayList<>();
        for (Object item : Json.array(json, "pings")) {
            pings.add(Ping.fromJson(item));
        }
        return Collections.unmodifiableList(pings);
    }
}
