package io.watchtower.client;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One page of services, sorted by name, and where the next page starts. Immutable; iterating over
 * it visits the page's services.
 *
 * <pre>{@code
 * ServicePage page = client.listServicesPage(ServiceQuery.builder().prefix("backup-").limit(100).build());
 * for (Service service : page) { ... }
 * if (page.hasNext()) {
 *     ServicePage next = client.listServicesPage(page.nextQuery().get());
 * }
 * }</pre>
 *
 * <p>To visit every matching service without handling pages, use
 * {@link WatchtowerClient#services(ServiceQuery)}.
 */
public final class ServicePage implements Iterable<Service> {
    private final ServiceQuery query;
    private final List<Service> services;
    private final String nextCursor;

    ServicePage(ServiceQuery query, List<Service> services, String nextCursor) {
        this.query = query;
        this.services = Collections.unmodifiableList(services);
        this.nextCursor = nextCursor;
    }

    /** The query this page answers. */
    public ServiceQuery getQuery() {
        return query;
    }

    /** The page's services, sorted by name (an unmodifiable list). */
    public List<Service> getServices() {
        return services;
    }

    /**
     * The cursor of the next page (from the answer's {@code Link: <…>; rel="next"} header: the
     * last name of this page), or empty when this is the last page.
     */
    public Optional<String> getNextCursor() {
        return Optional.ofNullable(nextCursor);
    }

    /** Whether more services match after this page. */
    public boolean hasNext() {
        return nextCursor != null;
    }

    /** The query for the next page (this page's query with the next cursor), or empty on the last page. */
    public Optional<ServiceQuery> nextQuery() {
        return nextCursor == null ? Optional.<ServiceQuery>empty() : Optional.of(query.withCursor(nextCursor));
    }

    @Override
    public Iterator<Service> iterator() {
        return services.iterator();
    }

    @Override
    public String toString() {
        return "ServicePage{services=" + services.size() + ", nextCursor=" + nextCursor + "}";
    }
}
