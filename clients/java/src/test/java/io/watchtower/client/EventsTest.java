package io.watchtower.client;

import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Add events and list them with every filter and across pages, against the real server. */
public final class EventsTest {
    private static List<Long> ids(Iterable<Event> events) {
        List<Long> ids = new ArrayList<>();
        for (Event event : events) {
            ids.add(event.getId());
        }
        return ids;
    }

    private static List<Long> reversed(List<Long> ids) {
        List<Long> copy = new ArrayList<>(ids);
        Collections.reverse(copy);
        return copy;
    }

    @Test
    public void addEventAnswersTheEvent() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("add");
        String message = "disk 91% full — \"quoted\" \\ back\nslash\ttab é ✓ 😀 </script>";
        Instant before = Instant.now().minusSeconds(60);
        Event event = client.addEvent(service, Level.WARNING, message);
        assertTrue(event.getId() > 0, "an id");
        assertEquals(service, event.getService());
        assertEquals(Level.WARNING, event.getLevel());
        assertEquals(message, event.getMessage(), "the message survives the round trip");
        assertTrue(event.getDate().isAfter(before), "dated by the server: " + event.getDate());
        List<Event> listed = client.listEvents(EventQuery.builder().service(service).build()).getEvents();
        assertEquals(Collections.singletonList(event), listed);
    }

    @Test
    public void invalidEventNamesTheField() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.addEvent(Fixtures.uniqueName("bad"), Level.INFO, ""));
        assertEquals("message", e.getField());
        assertEquals("must not be empty", e.getProblem());
    }

    @Test
    public void filtersByService() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String mine = Fixtures.uniqueName("mine");
        String other = mine + "-other";
        Event a = client.addEvent(mine, Level.INFO, "a");
        client.addEvent(other, Level.INFO, "b");
        Event c = client.addEvent(mine, Level.INFO, "c");
        EventPage page = client.listEvents(EventQuery.builder().service(mine).build());
        assertEquals(ids(java.util.Arrays.asList(c, a)), ids(page), "exact service, newest first by default");
        assertFalse(page.hasNext(), "one page");
        assertFalse(page.getNextCursor().isPresent(), "no cursor");
    }

    @Test
    public void filtersByMinimumLevel() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("levels");
        List<Event> added = new ArrayList<>();
        for (Level level : Level.values()) {
            added.add(client.addEvent(service, level, "at " + level));
        }
        for (Level min : Level.values()) {
            List<Level> levels = new ArrayList<>();
            for (Event event : client.listEvents(EventQuery.builder().service(service).minLevel(min)
                    .order(EventQuery.Order.ASC).build())) {
                levels.add(event.getLevel());
            }
            List<Level> expected = new ArrayList<>();
            for (Level level : Level.values()) {
                if (level.compareTo(min) >= 0) {
                    expected.add(level);
                }
            }
            assertEquals(expected, levels, "level " + min + " and above");
        }
    }

    @Test
    public void filtersByMessageIgnoringCase() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("message");
        Event full = client.addEvent(service, Level.WARNING, "Disk FULL on /var");
        client.addEvent(service, Level.WARNING, "disk fine");
        Event unicode = client.addEvent(service, Level.INFO, "Ünïcödé disk full too");
        EventQuery query = EventQuery.builder().service(service).message("disk full").build();
        assertEquals(ids(java.util.Arrays.asList(unicode, full)), ids(client.listEvents(query)));
        EventQuery accents = EventQuery.builder().service(service).message("üNÏCÖDÉ").build();
        assertEquals(Collections.singletonList(unicode.getId()), ids(client.listEvents(accents)), "Unicode-aware case folding");
    }

    @Test
    public void filtersByDateRange() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("dates");
        List<Event> added = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            added.add(client.addEvent(service, Level.INFO, "event " + i));
        }
        Instant from = added.get(1).getDate();
        Instant to = added.get(3).getDate();
        // Several events may share a millisecond: expect exactly those dated within [from, to].
        List<Long> expected = new ArrayList<>();
        for (Event event : added) {
            if (!event.getDate().isBefore(from) && !event.getDate().isAfter(to)) {
                expected.add(event.getId());
            }
        }
        EventQuery query = EventQuery.builder().service(service).from(from).to(to).order(EventQuery.Order.ASC).build();
        assertEquals(expected, ids(client.listEvents(query)), "from and to, inclusive");
        List<Long> after = new ArrayList<>();
        for (Event event : added) {
            if (!event.getDate().isBefore(to)) {
                after.add(event.getId());
            }
        }
        assertEquals(after, ids(client.listEvents(EventQuery.builder().service(service).from(to)
                .order(EventQuery.Order.ASC).build())), "from alone");
        assertEquals(Collections.<Long>emptyList(), ids(client.listEvents(EventQuery.builder().service(service)
                .to(added.get(0).getDate().minusSeconds(1)).build())), "to alone, before everything");
    }

    @Test
    public void ordersAndLimits() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("order");
        List<Long> ascending = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ascending.add(client.addEvent(service, Level.INFO, "event " + i).getId());
        }
        EventQuery.Builder query = EventQuery.builder().service(service);
        assertEquals(ascending, ids(client.listEvents(query.order(EventQuery.Order.ASC).build())), "oldest first");
        assertEquals(reversed(ascending), ids(client.listEvents(query.order(EventQuery.Order.DESC).build())), "newest first");
        EventPage limited = client.listEvents(query.order(null).limit(2).build());
        assertEquals(reversed(ascending).subList(0, 2), ids(limited), "the newest two");
        assertTrue(limited.hasNext(), "more to come");
    }

    @Test
    public void pagesOverThreePages() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("pages");
        List<Long> ascending = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ascending.add(client.addEvent(service, Level.INFO, "event " + i).getId());
        }
        for (EventQuery.Order order : EventQuery.Order.values()) {
            List<Long> expected = order == EventQuery.Order.ASC ? ascending : reversed(ascending);
            EventQuery query = EventQuery.builder().service(service).order(order).limit(3).build();

            EventPage first = client.listEvents(query);
            assertEquals(expected.subList(0, 3), ids(first), order + " page 1");
            assertTrue(first.hasNext(), "page 1 has a next");
            EventPage second = client.listEvents(query.withCursor(first.getNextCursor().get()));
            assertEquals(expected.subList(3, 6), ids(second), order + " page 2");
            EventPage third = client.listEvents(second.nextQuery().get());
            assertEquals(expected.subList(6, 7), ids(third), order + " page 3");
            assertFalse(third.hasNext(), "page 3 is the last");
            assertFalse(third.nextQuery().isPresent(), "no next query");

            assertEquals(expected, ids(client.events(query)), order + ": events() follows every page");
            assertEquals(expected, ids(client.events(query)), order + ": and again from the start");
        }
    }

    @Test
    public void iteratorFollowsPagesLazily() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("lazy");
        for (int i = 0; i < 3; i++) {
            client.addEvent(service, Level.INFO, "event " + i);
        }
        Iterator<Event> events = client.events(EventQuery.builder().service(service).limit(1)
                .order(EventQuery.Order.ASC).build()).iterator();
        assertEquals("event 0", events.next().getMessage());
        client.addEvent(service, Level.INFO, "event 3"); // arrives during the walk: oldest-first, it comes at the end
        List<String> rest = new ArrayList<>();
        while (events.hasNext()) {
            rest.add(events.next().getMessage());
        }
        assertEquals(java.util.Arrays.asList("event 1", "event 2", "event 3"), rest);
        assertThrows(NoSuchElementException.class, events::next);
        assertFalse(client.events(EventQuery.builder().service(service + "-none").build()).iterator().hasNext(),
                "no match, no event");
    }

    @Test
    public void badQueryParametersAreNamed() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        assertEquals("limit", assertThrows(InvalidRequestException.class,
                () -> client.listEvents(EventQuery.builder().limit(0).build())).getField());
        assertEquals("limit", assertThrows(InvalidRequestException.class,
                () -> client.listEvents(EventQuery.builder().limit(10_001).build())).getField());
        assertEquals("cursor", assertThrows(InvalidRequestException.class,
                () -> client.listEvents(EventQuery.builder().cursor("not-a-cursor").build())).getField());
        // A cursor names a position; the order says which way the next page runs.
        String service = Fixtures.uniqueName("cursor");
        for (String message : new String[] {"one", "two", "three"}) {
            client.addEvent(service, Level.INFO, message);
        }
        EventPage page = client.listEvents(EventQuery.builder().service(service).limit(2).build());
        EventQuery forward = page.nextQuery().get().toBuilder().order(EventQuery.Order.ASC).build();
        List<Event> back = client.listEvents(forward).getEvents();
        assertEquals(1, back.size());
        assertEquals("three", back.get(0).getMessage());
    }
}
