package io.watchtower.client;

import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One page of events, and where the next page starts. Immutable; iterating over it visits the
 * page's events.
 *
 * <pre>{@code
 * EventPage page = client.listEvents(EventQuery.builder().service("backup").limit(50).build());
 * for (Event event : page) { ... }
 * if (page.hasNext()) {
 *     EventPage next = client.listEvents(page.nextQuery().get());
 * }
 * }</pre>
 *
 * <p>To visit every matching event without handling pages, use
 * {@link WatchtowerClient#events(EventQuery)}.
 */
public final class EventPage implements Iterable<Event> {
    private final EventQuery query;
    private final List<Event> events;
    private final String nextCursor;

    EventPage(EventQuery query, List<Event> events, String nextCursor) {
        this.query = query;
        this.events = Collections.unmodifiableList(events);
        this.nextCursor = nextCursor;
    }

    /** The query this page answers. */
    public EventQuery getQuery() {
        return query;
    }

    /** The page's events, in the query's order (an unmodifiable list). */
    public List<Event> getEvents() {
        return events;
    }

    /**
     * The cursor of the next page (from the answer's {@code Link: <…>; rel="next"} header), or
     * empty when this is the last page.
     */
    public Optional<String> getNextCursor() {
        return Optional.ofNullable(nextCursor);
    }

    /** Whether more events match after this page. */
    public boolean hasNext() {
        return nextCursor != null;
    }

    /** The query for the next page (this page's query with the next cursor), or empty on the last page. */
    public Optional<EventQuery> nextQuery() {
        return nextCursor == null ? Optional.<EventQuery>empty() : Optional.of(query.withCursor(nextCursor));
    }

    @Override
    public Iterator<Event> iterator() {
        return events.iterator();
    }

    @Override
    public String toString() {
        return "EventPage{events=" + events.size() + ", nextCursor=" + nextCursor + "}";
    }

    /**
     * The {@code cursor} parameter of the {@code rel="next"} link among the {@code Link} header
     * values (RFC 8288), or {@code null} if there is none.
     */
    static String nextCursor(List<String> linkHeaders) {
        if (linkHeaders == null) {
            return null;
        }
        for (String header : linkHeaders) {
            if (header == null) {
                continue;
            }
            int pos = 0;
            while (true) {
                int open = header.indexOf('<', pos);
                if (open < 0) {
                    break;
                }
                int close = header.indexOf('>', open);
                if (close < 0) {
                    break;
                }
                String target = header.substring(open + 1, close);
                // The parameters run to the next comma outside a quoted string.
                int end = close + 1;
                boolean quoted = false;
                while (end < header.length()) {
                    char c = header.charAt(end);
                    if (c == '"') {
                        quoted = !quoted;
                    } else if (c == ',' && !quoted) {
                        break;
                    }
                    end++;
                }
                if (isNext(header.substring(close + 1, end))) {
                    String cursor = queryParameter(target, "cursor");
                    if (cursor != null) {
                        return cursor;
                    }
                }
                pos = end;
            }
        }
        return null;
    }

    private static boolean isNext(String params) {
        for (String param : params.split(";")) {
            int eq = param.indexOf('=');
            if (eq < 0 || !param.substring(0, eq).trim().equalsIgnoreCase("rel")) {
                continue;
            }
            String value = param.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            for (String rel : value.trim().split("\\s+")) {
                if (rel.toLowerCase(Locale.ROOT).equals("next")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String queryParameter(String uri, String name) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return null;
        }
        String query = uri.substring(question + 1);
        int hash = query.indexOf('#');
        if (hash >= 0) {
            query = query.substring(0, hash);
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new AssertionError("UTF-8 is always supported", e);
        }
    }
}
