package io.watchtower.client;

import java.util.Objects;

/**
 * Which alerts {@link WatchtowerClient#listAlerts(AlertQuery)} lists, newest first. Immutable;
 * every filter is optional, and an empty query ({@link #all()}) lists the newest 100 alerts.
 *
 * <pre>{@code
 * AlertQuery query = AlertQuery.builder()
 *         .service("backup")            // this service only
 *         .state(AlertQuery.FAILING)     // pending after a failed attempt
 *         .limit(20)                     // at most 20 (default 100, at most 1000)
 *         .build();
 * }</pre>
 */
public final class AlertQuery {
    /**
     * The {@linkplain Builder#state(String) state} filter that lists the alerts pending after a
     * failed attempt: deliveries in trouble.
     */
    public static final String FAILING = "failing";

    private static final AlertQuery ALL = builder().build();

    private final String service;
    private final String state;
    private final Integer limit;

    private AlertQuery(Builder b) {
        this.service = b.service;
        this.state = b.state;
        this.limit = b.limit;
    }

    /** The query without filters: the newest 100 alerts. */
    public static AlertQuery all() {
        return ALL;
    }

    /** Starts building a query. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this query's values, to derive another query from it. */
    public Builder toBuilder() {
        return new Builder().service(service).state(state).limit(limit);
    }

    /** The exact service name to match, or {@code null}. */
    public String getService() {
        return service;
    }

    /** The state to match ({@code "pending"}, …, or {@link #FAILING}), or {@code null}. */
    public String getState() {
        return state;
    }

    /** The most alerts to list, or {@code null} for the server's default (100). */
    public Integer getLimit() {
        return limit;
    }

    /** The query string for {@code GET /alerts}, without the {@code ?}. */
    String toQueryString() {
        StringBuilder q = new StringBuilder();
        append(q, "service", service);
        append(q, "state", state);
        append(q, "limit", limit == null ? null : limit.toString());
        return q.toString();
    }

    private static void append(StringBuilder q, String name, String value) {
        if (value == null) {
            return;
        }
        if (q.length() > 0) {
            q.append('&');
        }
        q.append(name).append('=').append(EventQuery.encode(value));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AlertQuery)) {
            return false;
        }
        AlertQuery that = (AlertQuery) o;
        return Objects.equals(service, that.service) && Objects.equals(state, that.state)
                && Objects.equals(limit, that.limit);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, state, limit);
    }

    @Override
    public String toString() {
        return "AlertQuery{" + toQueryString() + "}";
    }

    /** Builds an {@link AlertQuery}. Every setter accepts {@code null} to remove that filter. */
    public static final class Builder {
        private String service;
        private String state;
        private Integer limit;

        private Builder() {}

        /** Only the alerts of this service (exact name). */
        public Builder service(String service) {
            this.service = service;
            return this;
        }

        /**
         * Only the alerts in this state: {@code "pending"} (waiting for triage, delivery or a
         * retry), {@code "sent"}, {@code "failed"} (given up), {@code "cancelled"} (its service
         * was cancelled or paused), {@code "suppressed"} (kept back by the policy),
         * {@code "digested"} (folded into a digest), or {@link AlertQuery#FAILING "failing"}
         * (pending after a failed attempt). The server checks the value and names {@code state}
         * if it rejects it.
         */
        public Builder state(String state) {
            this.state = state;
            return this;
        }

        /**
         * At most this many alerts (the server's default: 100, its maximum: 1000); the server
         * checks the value and names {@code limit} if it rejects it.
         */
        public Builder limit(Integer limit) {
            this.limit = limit;
            return this;
        }

        /** The query. */
        public AlertQuery build() {
            return new AlertQuery(this);
        }
    }
}
