package io.watchtower.client;

import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which events to list, in which order, and where the page starts. Immutable; every filter is
 * optional, and an empty query ({@link #all()}) lists the newest 100 events.
 *
 * <pre>{@code
 * EventQuery query = EventQuery.builder()
 *         .service("backup")                                // this service only
 *         .from(Instant.parse("2026-11-24T00:00:00Z"))      // at or after
 *         .to(Instant.now())                                // at or before
 *         .minLevel(Level.WARNING)                          // warning, error and critical
 *         .message("disk")                                  // case-insensitive substring
 *         .attribute("host", "web-1")                       // attribute host is "web-1"
 *         .attribute("status", 503)                         // and attribute status is 503
 *         .order(EventQuery.Order.ASC)                      // oldest first (default: newest first)
 *         .limit(20)                                        // per page (default 100, at most 10000)
 *         .build();
 * }</pre>
 */
public final class EventQuery {
    /** The order of the events in the answer. */
    public enum Order {
        /** Oldest first. */
        ASC,
        /** Newest first, the server's default. */
        DESC;

        String wireName() {
            return this == ASC ? "asc" : "desc";
        }
    }

    private static final EventQuery ALL = builder().build();

    private final String service;
    private final Instant from;
    private final Instant to;
    private final Level minLevel;
    private final String message;
    private final Map<String, Object> attributes;
    private final Order order;
    private final Integer limit;
    private final String cursor;

    private EventQuery(Builder b) {
        this.service = b.service;
        this.from = b.from;
        this.to = b.to;
        this.minLevel = b.minLevel;
        this.message = b.message;
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
        this.order = b.order;
        this.limit = b.limit;
        this.cursor = b.cursor;
    }

    /** The query without filters: the newest events first, 100 a page. */
    public static EventQuery all() {
        return ALL;
    }

    /** Starts building a query. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this query's values, to derive another query from it. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.service = service;
        b.from = from;
        b.to = to;
        b.minLevel = minLevel;
        b.message = message;
        b.attributes.putAll(attributes);
        b.order = order;
        b.limit = limit;
        b.cursor = cursor;
        return b;
    }

    /** This query, starting at {@code cursor} (from {@link EventPage#getNextCursor()}). */
    public EventQuery withCursor(String cursor) {
        return toBuilder().cursor(cursor).build();
    }

    /** The exact service name to match, or {@code null}. */
    public String getService() {
        return service;
    }

    /** The earliest date to match (inclusive), or {@code null}. */
    public Instant getFrom() {
        return from;
    }

    /** The latest date to match (inclusive), or {@code null}. */
    public Instant getTo() {
        return to;
    }

    /** The lowest level to match, or {@code null}. */
    public Level getMinLevel() {
        return minLevel;
    }

    /** The case-insensitive substring the message must contain, or {@code null}. */
    public String getMessage() {
        return message;
    }

    /**
     * The attribute filters ({@code attr.NAME=VALUE}), by name in the order given: each event
     * must have every one of these attributes with this value. Values are as
     * {@link Event#getAttributes()} has them (an {@code Integer} given is a {@code Long} here).
     * An unmodifiable map, empty without attribute filters.
     */
    public Map<String, Object> getAttributes() {
        return attributes;
    }

    /** The order, or {@code null} for the server's default (newest first). */
    public Order getOrder() {
        return order;
    }

    /** The page size, or {@code null} for the server's default (100). */
    public Integer getLimit() {
        return limit;
    }

    /** Where the page starts, or {@code null} for the first page. */
    public String getCursor() {
        return cursor;
    }

    /** The query string for {@code GET /list-events}, without the {@code ?}. */
    String toQueryString() {
        StringBuilder q = new StringBuilder();
        append(q, "service", service);
        append(q, "from", from == null ? null : from.toString());
        append(q, "to", to == null ? null : to.toString());
        append(q, "level", minLevel == null ? null : minLevel.wireName());
        append(q, "message", message);
        for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
            append(q, "attr." + encode(attribute.getKey()), Attributes.text(attribute.getValue()));
        }
        append(q, "order", order == null ? null : order.wireName());
        append(q, "limit", limit == null ? null : limit.toString());
        append(q, "cursor", cursor);
        return q.toString();
    }

    private static void append(StringBuilder q, String name, String value) {
        if (value == null) {
            return;
        }
        if (q.length() > 0) {
            q.append('&');
        }
        q.append(name).append('=').append(encode(value));
    }

    static String encode(String value) {
        try {
            return URLEncoder.encode(value, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new AssertionError("UTF-8 is always supported", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventQuery && toQueryString().equals(((EventQuery) o).toQueryString());
    }

    @Override
    public int hashCode() {
        return toQueryString().hashCode();
    }

    @Override
    public String toString() {
        return "EventQuery{" + toQueryString() + "}";
    }

    /** Builds an {@link EventQuery}. Every setter accepts {@code null} to remove that filter. */
    public static final class Builder {
        private String service;
        private Instant from;
        private Instant to;
        private Level minLevel;
        private String message;
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private Order order;
        private Integer limit;
        private String cursor;

        private Builder() {}

        /** Only the events of this service (exact name). */
        public Builder service(String service) {
            this.service = service;
            return this;
        }

        /** Only events received at or after {@code from}. */
        public Builder from(Instant from) {
            this.from = from;
            return this;
        }

        /** Only events received at or before {@code to}. */
        public Builder to(Instant to) {
            this.to = to;
            return this;
        }

        /** Only events of this level or above (the {@code level} parameter). */
        public Builder minLevel(Level minLevel) {
            this.minLevel = minLevel;
            return this;
        }

        /** Only events whose message contains this text, ignoring case. */
        public Builder message(String message) {
            this.message = message;
            return this;
        }

        /**
         * Only events whose attribute {@code name} has {@code value} (the {@code attr.NAME}
         * parameter); several attribute filters must all match. The server compares the value as
         * text, exactly: a string as it is, a number in its JSON form ({@code 503},
         * {@code 0.25}, {@code 1000.0}), a boolean as {@code true} or {@code false}; so the
         * number 503 and the string {@code "503"} match each other, while {@code 503} and
         * {@code 503.0} do not. An event without the attribute does not match. A {@code null}
         * value removes the filter on {@code name}; giving {@code name} again replaces its value.
         *
         * @param value a {@link String}, a {@link Number} (an integer type, {@code BigInteger},
         *     {@code Float}, {@code Double} or {@code BigDecimal}) or a {@link Boolean}
         * @throws IllegalArgumentException if {@code value} is of another type, or a number that
         *     is not finite
         */
        public Builder attribute(String name, Object value) {
            Objects.requireNonNull(name, "name");
            if (value == null) {
                attributes.remove(name);
            } else {
                attributes.put(name, Attributes.value(name, value));
            }
            return this;
        }

        /**
         * Replaces every attribute filter with those of {@code attributes}, each as
         * {@link #attribute(String, Object)} takes it; {@code null} or an empty map removes them.
         *
         * @throws IllegalArgumentException if a value is not a string, a number or a boolean
         */
        public Builder attributes(Map<String, ?> attributes) {
            Map<String, Object> checked = attributes == null
                    ? Collections.<String, Object>emptyMap() : Attributes.checked(attributes);
            this.attributes.clear();
            this.attributes.putAll(checked);
            return this;
        }

        /** Oldest or newest first (the server's default: {@link Order#DESC newest first}). */
        public Builder order(Order order) {
            this.order = order;
            return this;
        }

        /**
         * At most this many events a page (the server's default: 100, its maximum: 10000); the
         * server checks the value and names {@code limit} if it rejects it.
         */
        public Builder limit(Integer limit) {
            this.limit = limit;
            return this;
        }

        /**
         * Start at this cursor, copied from the previous page's {@link EventPage#getNextCursor()}.
         * A cursor belongs to its order and filters: use it with the same query.
         */
        public Builder cursor(String cursor) {
            this.cursor = cursor;
            return this;
        }

        /** The query. */
        public EventQuery build() {
            return new EventQuery(this);
        }
    }
}
