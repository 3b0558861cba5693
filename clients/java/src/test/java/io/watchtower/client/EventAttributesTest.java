package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.UnitTest.attributes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Events with attributes: stored, read back typed, and filtered on, against the real server. */
public final class EventAttributesTest {
    private static List<Long> ids(Iterable<Event> events) {
        List<Long> ids = new ArrayList<>();
        for (Event event : events) {
            ids.add(event.getId());
        }
        return ids;
    }

    private static List<Long> ids(Event... events) {
        List<Long> ids = new ArrayList<>();
        for (Event event : events) {
            ids.add(event.getId());
        }
        return ids;
    }

    @Test
    public void attributesComeBackTypedAndSortedByName() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("attrs");
        Map<String, Object> sent = attributes(
                "status", 503,                       // an Integer: comes back a Long
                "host", "web-1",
                "retry", true,
                "ratio", 0.25,
                "whole", 3.0,                        // a Double stays a Double, even whole
                "big", 1e20,
                "u64", new BigInteger("18446744073709551615"),
                "région", "Île-de-France ✓ \"q\" \\ 😀",
                "code", "503");                      // text that looks like a number stays text
        Event event = client.addEvent(service, Level.ERROR, "upstream failed", sent);
        Map<String, Object> expected = attributes(
                "big", 1e20, "code", "503", "host", "web-1", "ratio", 0.25, "retry", true,
                "région", "Île-de-France ✓ \"q\" \\ 😀",
                "status", 503L, "u64", new BigInteger("18446744073709551615"), "whole", 3.0);
        assertEquals(expected, event.getAttributes(), "the answer to the add");
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(event.getAttributes().keySet()), "sorted by name");
        assertTrue(event.getAttributes().get("status") instanceof Long, "an integer is a Long");
        assertTrue(event.getAttributes().get("whole") instanceof Double, "a double is a Double");
        assertThrows(UnsupportedOperationException.class, () -> event.getAttributes().put("x", 1));

        List<Event> listed = client.listEvents(EventQuery.builder().service(service).build()).getEvents();
        assertEquals(Collections.singletonList(event), listed, "listed as it was answered");
        assertEquals(expected, listed.get(0).getAttributes());
    }

    @Test
    public void anEventWithoutAttributesHasAnEmptyMap() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("plain");
        Event plain = client.addEvent(service, Level.INFO, "no attributes");
        Event empty = client.addEvent(service, Level.INFO, "an empty map", Collections.<String, Object>emptyMap());
        Event none = client.addEvent(service, Level.INFO, "null", null);
        for (Event event : client.events(EventQuery.builder().service(service).build())) {
            assertEquals(Collections.emptyMap(), event.getAttributes(), event.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> event.getAttributes().put("x", 1));
        }
        assertEquals(ids(none, empty, plain), ids(client.events(EventQuery.builder().service(service).build())));
        assertEquals(Collections.emptyMap(), plain.getAttributes());
    }

    @Test
    public void filtersByOneAndByTwoAttributes() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("filter");
        Event a = client.addEvent(service, Level.ERROR, "a", attributes("host", "web-1", "status", 503));
        Event b = client.addEvent(service, Level.ERROR, "b", attributes("host", "web-2", "status", 503));
        Event c = client.addEvent(service, Level.INFO, "c", attributes("host", "web-1", "status", 200));
        client.addEvent(service, Level.INFO, "d, none");
        Event e = client.addEvent(service, Level.ERROR, "e", attributes("host", "web-1", "status", "503"));
        Event f = client.addEvent(service, Level.INFO, "f", attributes("retry", true, "ratio", 0.25, "big", 1e20));
        Event g = client.addEvent(service, Level.INFO, "g", attributes("retry", false, "ratio", 0.5));
        EventQuery.Builder mine = EventQuery.builder().service(service).order(EventQuery.Order.ASC);

        assertEquals(ids(a, b, e), ids(client.listEvents(mine.attribute("status", 503).build())),
                "one attribute; compared as text, the string \"503\" matches too");
        assertEquals(ids(a, e), ids(client.listEvents(mine.attribute("host", "web-1").build())), "two: both must match");
        assertEquals(ids(c), ids(client.listEvents(mine.attribute("status", 200).build())), "two, another value");
        assertEquals(ids(a, b, e), ids(client.listEvents(mine.attribute("host", null).attribute("status", "503").build())),
                "a string filter matches the number");
        assertEquals(ids(), ids(client.listEvents(mine.attribute("status", 503.0).build())), "503.0 is not 503");
        assertEquals(ids(), ids(client.listEvents(mine.attribute("status", 503).attribute("host", "web-3").build())),
                "no event has both");
        mine.attributes(null);

        assertEquals(ids(f), ids(client.listEvents(mine.attribute("retry", true).build())), "a boolean");
        assertEquals(ids(g), ids(client.listEvents(mine.attribute("retry", false).build())), "false");
        assertEquals(ids(g), ids(client.listEvents(mine.attribute("retry", "false").build())), "false as text");
        assertEquals(ids(f), ids(client.listEvents(mine.attributes(attributes("ratio", 0.25)).build())), "a double");
        assertEquals(ids(f), ids(client.listEvents(mine.attributes(attributes("big", 1e20)).build())),
                "a double in scientific notation (1e+20)");
        assertEquals(ids(f), ids(client.listEvents(mine.attributes(f.getAttributes()).build())),
                "an event's own attributes find it");
        assertEquals(Arrays.asList("f"), messages(client.events(mine.attributes(attributes("retry", true)).build())));

        // Filters carry over to every page.
        EventQuery paged = mine.attributes(attributes("status", 503)).limit(1).build();
        EventPage first = client.listEvents(paged);
        assertEquals(ids(a), ids(first), "page 1");
        assertEquals(ids(b), ids(client.listEvents(first.nextQuery().get())), "page 2 keeps the filter");
        assertEquals(ids(a, b, e), ids(client.events(paged)), "events() follows every page");
    }

    @Test
    public void anAttributeFilterAloneSpansServices() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String run = Fixtures.uniqueName("run");
        Event one = client.addEvent(Fixtures.uniqueName("svc-a"), Level.INFO, "first", attributes("run", run));
        Event two = client.addEvent(Fixtures.uniqueName("svc-b"), Level.INFO, "second", attributes("run", run, "step", 2));
        EventQuery query = EventQuery.builder().attribute("run", run).order(EventQuery.Order.ASC).build();
        assertEquals(ids(one, two), ids(client.listEvents(query)));
        assertEquals(ids(two), ids(client.listEvents(query.toBuilder().attribute("step", 2).build())));
    }

    @Test
    public void theServerRefusesBadAttributesNamingThem() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("refused");
        Map<String, Object> many = attributes();
        for (int i = 0; i < 33; i++) {
            many.put("k" + i, i);
        }
        InvalidRequestException tooMany = assertThrows(InvalidRequestException.class,
                () -> client.addEvent(service, Level.INFO, "m", many));
        assertEquals("attributes", tooMany.getField());
        assertEquals(400, tooMany.getStatus());
        assertContains(tooMany.getProblem(), "32");

        char[] big = new char[5000];
        Arrays.fill(big, 'x');
        InvalidRequestException tooBig = assertThrows(InvalidRequestException.class,
                () -> client.addEvent(service, Level.INFO, "m", attributes("big", new String(big))));
        assertEquals("attributes", tooBig.getField());
        assertEquals(422, tooBig.getStatus());

        for (String name : new String[] {"", "tab\tname", String.join("", Collections.nCopies(129, "n"))}) {
            InvalidRequestException badName = assertThrows(InvalidRequestException.class,
                    () -> client.addEvent(service, Level.INFO, "m", attributes(name, 1)));
            assertEquals("attributes", badName.getField(), "name " + name);
        }
        assertEquals("attributes", assertThrows(InvalidRequestException.class,
                () -> client.addEvent(service, Level.INFO, "m", attributes("nul", "a\u0000b"))).getField());

        InvalidRequestException badFilter = assertThrows(InvalidRequestException.class,
                () -> client.listEvents(EventQuery.builder().attribute("", "x").build()));
        assertEquals("query", badFilter.getField(), "an empty filter name");
        assertEquals(Collections.emptyList(), client.listEvents(EventQuery.builder().service(service).build()).getEvents(),
                "nothing stored");
    }

    @Test
    public void valuesOfOtherTypesAreRefusedBeforeSending() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String service = Fixtures.uniqueName("local");
        for (Object value : new Object[] {null, Arrays.asList(1), Collections.singletonMap("a", 1), Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> client.addEvent(service, Level.INFO, "m", Collections.singletonMap("bad", value)));
            assertContains(e.getMessage(), "attributes: `bad`");
        }
        assertEquals(Collections.emptyList(), client.listEvents(EventQuery.builder().service(service).build()).getEvents(),
                "nothing sent");
    }

    private static List<String> messages(Iterable<Event> events) {
        List<String> messages = new ArrayList<>();
        for (Event event : events) {
            messages.add(event.getMessage());
        }
        return messages;
    }
}
