package io.watchtower.client;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which services to list, and where the page starts. Immutable; every filter is optional, and an
 * empty query ({@link #all()}) lists every service, sorted by name, as {@link
 * WatchtowerClient#listServices()} does.
 *
 * <pre>{@code
 * ServiceQuery query = ServiceQuery.builder()
 *         .prefix("backup-")                                  // names starting with it
 *         .statuses(ServiceStatus.DEAD, ServiceStatus.LATE)   // any of these statuses
 *         .limit(100)                                         // per page (without it: one page of every match)
 *         .build();
 * }</pre>
 */
public final class ServiceQuery {
    private static final ServiceQuery ALL = builder().build();

    private final String prefix;
    private final Set<ServiceStatus> statuses;
    private final Integer limit;
    private final String cursor;

    private ServiceQuery(Builder b) {
        this.prefix = b.prefix;
        this.statuses = Collections.unmodifiableSet(EnumSet.copyOf(b.statuses));
        this.limit = b.limit;
        this.cursor = b.cursor;
    }

    /** The query without filters: every service, sorted by name, in one answer. */
    public static ServiceQuery all() {
        return ALL;
    }

    /** Starts building a query. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this query's values, to derive another query from it. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.prefix = prefix;
        b.statuses.addAll(statuses);
        b.limit = limit;
        b.cursor = cursor;
        return b;
    }

    /** This query, starting at {@code cursor} (from {@link ServicePage#getNextCursor()}). */
    public ServiceQuery withCursor(String cursor) {
        return toBuilder().cursor(cursor).build();
    }

    /** The start every listed service's name must have, or {@code null}. */
    public String getPrefix() {
        return prefix;
    }

    /** The statuses to match (an unmodifiable set, in declaration order); empty for every status. */
    public Set<ServiceStatus> getStatuses() {
        return statuses;
    }

    /** The page size, or {@code null} for one page of every match. */
    public Integer getLimit() {
        return limit;
    }

    /** Where the page starts, or {@code null} for the first page. */
    public String getCursor() {
        return cursor;
    }

    /** The query string for {@code GET /}, without the {@code ?}. */
    String toQueryString() {
        StringBuilder q = new StringBuilder();
        append(q, "prefix", prefix);
        append(q, "status", statuses.isEmpty() ? null : statusList());
        append(q, "limit", limit == null ? null : limit.toString());
        append(q, "cursor", cursor);
        return q.toString();
    }

    /** {@code dead,late}: the statuses' wire names, comma-separated. */
    private String statusList() {
        StringBuilder list = new StringBuilder();
        for (ServiceStatus status : statuses) {
            if (list.length() > 0) {
                list.append(',');
            }
            list.append(status.wireName());
        }
        return list.toString();
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
        return o instanceof ServiceQuery && toQueryString().equals(((ServiceQuery) o).toQueryString());
    }

    @Override
    public int hashCode() {
        return toQueryString().hashCode();
    }

    @Override
    public String toString() {
        return "ServiceQuery{" + toQueryString() + "}";
    }

    /**
     * Builds a {@link ServiceQuery}. Every setter accepts {@code null} to remove that filter.
     * What the client can tell is wrong is refused here, before anything is sent (an empty
     * prefix, {@link ServiceStatus#UNKNOWN}); what only the server knows (the lengths it takes, the
     * range of {@code limit}, whether a cursor is one) is left to it, and it names the parameter
     * it rejects ({@link InvalidRequestException#getField()}).
     */
    public static final class Builder {
        private String prefix;
        private final EnumSet<ServiceStatus> statuses = EnumSet.noneOf(ServiceStatus.class);
        private Integer limit;
        private String cursor;

        private Builder() {}

        /**
         * Only the services whose names start with {@code prefix} (case-sensitive; the server takes
         * 1 to 255 characters). With an API key that has a prefix of its own, the listing never
         * leaves the key's services: a prefix outside them lists none.
         *
         * @throws IllegalArgumentException if {@code prefix} is empty (to list every service,
         *     give {@code null})
         */
        public Builder prefix(String prefix) {
            if (prefix != null && prefix.isEmpty()) {
                throw new IllegalArgumentException("prefix must not be empty (null lists every service)");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Only the services in one of {@code statuses} (the {@code status} parameter), replacing
         * those given before; none (or {@code null}) lists every status. {@link ServiceStatus#LATE}
         * is computed by the server as it lists.
         *
         * @throws NullPointerException if one of the statuses is {@code null}
         * @throws IllegalArgumentException if one is {@link ServiceStatus#UNKNOWN}, which has no
         *     name to send
         */
        public Builder statuses(ServiceStatus... statuses) {
            return statuses(statuses == null ? null : Arrays.asList(statuses));
        }

        /**
         * Only the services in one of {@code statuses}, replacing those given before; an empty
         * collection (or {@code null}) lists every status.
         *
         * @throws NullPointerException if one of the statuses is {@code null}
         * @throws IllegalArgumentException if one is {@link ServiceStatus#UNKNOWN}, which has no
         *     name to send
         */
        public Builder statuses(Collection<ServiceStatus> statuses) {
            EnumSet<ServiceStatus> chosen = EnumSet.noneOf(ServiceStatus.class);
            if (statuses != null) {
                for (ServiceStatus status : statuses) {
                    if (status == null) {
                        throw new NullPointerException("statuses must not contain null");
                    }
                    if (status == ServiceStatus.UNKNOWN) {
                        throw new IllegalArgumentException(
                                "status UNKNOWN cannot be asked for: choose among UP, LATE, DEAD, PAUSED and NEW");
                    }
                    chosen.add(status);
                }
            }
            this.statuses.clear();
            this.statuses.addAll(chosen);
            return this;
        }

        /**
         * At most this many services a page (the server takes 1 to 10000, and names {@code limit}
         * if it rejects the value); the server's {@code Link} header then carries the cursor of the
         * next page. Without a limit, one page holds every match.
         */
        public Builder limit(Integer limit) {
            this.limit = limit;
            return this;
        }

        /**
         * Start after this cursor, copied from the previous page's
         * {@link ServicePage#getNextCursor()} (the last name of that page). Use it with the same
         * filters.
         */
        public Builder cursor(String cursor) {
            this.cursor = cursor;
            return this;
        }

        /** The query. */
        public ServiceQuery build() {
            return new ServiceQuery(this);
        }
    }
}
