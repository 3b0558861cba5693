package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * List services with filters ({@code GET /?prefix=…&status=…}) and a page at a time
 * ({@code limit}, {@code cursor}) against the real server. Each test keeps to names under a prefix
 * of its own, so that the services of other tests never show.
 */
public final class ServiceListTest {
    private static List<String> names(Iterable<Service> services) {
        List<String> names = new ArrayList<>();
        for (Service service : services) {
            names.add(service.getName());
        }
        return names;
    }

    private static List<String> sorted(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        Collections.sort(copy); // UTF-16 order: the server's code-point order for these names
        return copy;
    }

    private static Service pulse(WatchtowerClient client, String name) {
        return client.pulse(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
    }

    private static ServiceQuery.Builder under(String prefix) {
        return ServiceQuery.builder().prefix(prefix);
    }

    @Test
    public void filtersByPrefix() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String base = Fixtures.uniqueName("prefix é&+ %/?");
        String a = base + "-a";
        String b = base + "-b";
        String longer = base + "x-c"; // shares the base, not the base + "-"
        for (String name : new String[] {b, longer, a}) {
            pulse(client, name);
        }
        assertEquals(Arrays.asList(a, b), names(client.listServices(under(base + "-").build())),
                "exactly the names with the prefix, sorted, the prefix encoded as a parameter");
        assertEquals(Arrays.asList(a, b, longer), names(client.listServices(under(base).build())));
        assertEquals(Collections.singletonList(a), names(client.listServices(under(a).build())), "a whole name is a prefix");
        assertEquals(Collections.<String>emptyList(), names(client.listServices(under(base + "-z").build())), "no match");
        assertEquals(Collections.<String>emptyList(), names(client.listServices(under(base.toUpperCase(java.util.Locale.ROOT)).build())),
                "case-sensitive");
        assertThrows(UnsupportedOperationException.class, () -> client.listServices(under(base).build()).clear());

        ServicePage page = client.listServicesPage(under(base).build());
        assertEquals(Arrays.asList(a, b, longer), names(page), "without a limit, one page holds every match");
        assertFalse(page.hasNext(), "and no next page");
        assertFalse(page.nextQuery().isPresent(), "no next query");

        // listServices() is unchanged, and so is the query without filters.
        List<String> all = names(client.listServices());
        assertTrue(all.containsAll(Arrays.asList(a, b, longer)), "every service: " + all);
        assertEquals(sorted(all), all, "sorted by name");
        assertEquals(all, names(client.listServices(ServiceQuery.all())), "ServiceQuery.all() lists what listServices() does");
    }

    @Test
    public void filtersByStatus() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String base = Fixtures.uniqueName("status") + "/";
        String up = base + "up";
        String dead = base + "dead";
        String paused = base + "paused";
        String late = base + "late";
        String fresh = base + "new";
        pulse(client, up);
        client.pulse(dead, Duration.ofMillis(100), AlertType.WEBHOOK, "ops");
        pulse(client, paused);
        assertEquals(ServiceStatus.PAUSED, client.pause(paused).getStatus());
        client.pulse(Pulse.builder(late).nextIn(Duration.ofMillis(100)).grace(Duration.ofSeconds(600))
                .alert(AlertType.WEBHOOK, "ops").build());
        assertEquals(ServiceStatus.NEW, client.declare(fresh, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops").getStatus());

        eventually("the service with nextIn 0.1 s dies",
                () -> names(client.listServices(under(base).statuses(ServiceStatus.DEAD).build())).equals(
                        Collections.singletonList(dead)));
        eventually("the service with nextIn 0.1 s and a grace is late",
                () -> names(client.listServices(under(base).statuses(ServiceStatus.LATE).build())).equals(
                        Collections.singletonList(late)));

        String[][] expected = {{"UP", up}, {"DEAD", dead}, {"PAUSED", paused}, {"LATE", late}, {"NEW", fresh}};
        for (String[] pair : expected) {
            ServiceStatus status = ServiceStatus.valueOf(pair[0]);
            List<Service> listed = client.listServices(under(base).statuses(status).build());
            assertEquals(Collections.singletonList(pair[1]), names(listed), "status " + status);
            assertEquals(status, listed.get(0).getStatus(), "listed with its status");
        }
        assertEquals(Arrays.asList(dead, late), names(client.listServices(under(base).statuses(ServiceStatus.DEAD, ServiceStatus.LATE).build())),
                "several statuses: any of them, sorted by name");
        assertEquals(Arrays.asList(fresh, paused, up), names(client.listServices(under(base)
                .statuses(EnumSet.of(ServiceStatus.UP, ServiceStatus.PAUSED, ServiceStatus.NEW)).build())), "a collection of statuses");
        assertEquals(sorted(Arrays.asList(up, dead, paused, late, fresh)), names(client.listServices(under(base).build())),
                "no status filter: every status");
        assertEquals(sorted(Arrays.asList(up, dead, paused, late, fresh)), names(client.listServices(under(base)
                .statuses(EnumSet.complementOf(EnumSet.of(ServiceStatus.UNKNOWN))).build())), "every status asked for");
        assertEquals(Collections.<String>emptyList(), names(client.listServices(ServiceQuery.builder()
                .prefix(base + "up").statuses(ServiceStatus.DEAD).build())), "prefix and status together");

        // Filters and pages together: each page holds only matches.
        ServiceQuery paged = under(base).statuses(ServiceStatus.DEAD, ServiceStatus.LATE, ServiceStatus.NEW).limit(1).build();
        ServicePage first = client.listServicesPage(paged);
        assertEquals(Collections.singletonList(dead), names(first));
        assertEquals(paged.getStatuses(), first.nextQuery().get().getStatuses(), "the next page keeps the filters");
        assertEquals(Arrays.asList(dead, late, fresh), names(client.services(paged)), "every page, once each");
        assertEquals(Arrays.asList(dead, late, fresh), names(client.listServices(paged)), "listServices follows the pages");
    }

    @Test
    public void pagesVisitEachServiceOnce() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String base = Fixtures.uniqueName("pages");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Names a cursor must carry through the Link header and back: spaces, &, +, %, /, #, é.
            String name = base + "/" + i + " a&b+c%d#é";
            expected.add(name);
        }
        List<String> shuffled = new ArrayList<>(expected);
        Collections.reverse(shuffled);
        for (String name : shuffled) {
            pulse(client, name);
        }
        expected = sorted(expected);
        ServiceQuery query = under(base + "/").limit(3).build();

        ServicePage first = client.listServicesPage(query);
        assertEquals(expected.subList(0, 3), names(first), "page 1");
        assertTrue(first.hasNext(), "page 1 has a next");
        assertEquals(expected.get(2), first.getNextCursor().get(), "the cursor is the page's last name");
        ServicePage second = client.listServicesPage(query.withCursor(first.getNextCursor().get()));
        assertEquals(expected.subList(3, 6), names(second), "page 2");
        ServicePage third = client.listServicesPage(second.nextQuery().get());
        assertEquals(expected.subList(6, 7), names(third), "page 3");
        assertFalse(third.hasNext(), "page 3 is the last");
        assertFalse(third.getNextCursor().isPresent(), "no cursor");
        assertFalse(third.nextQuery().isPresent(), "no next query");
        assertEquals(query.withCursor(second.getNextCursor().get()), third.getQuery(), "a page keeps its query");

        assertEquals(expected, names(client.services(query)), "services() follows every page");
        assertEquals(expected, names(client.services(query)), "and again from the start");
        assertEquals(expected, names(client.listServices(under(base + "/").limit(2).build())),
                "listServices with a limit collects every page");
        assertEquals(expected.subList(3, 7), names(client.listServices(query.withCursor(expected.get(2)))),
                "from a cursor on");
        assertEquals(expected.subList(3, 7), names(client.listServices(under(base + "/").cursor(expected.get(2)).build())),
                "a cursor without a limit: every match after it, in one answer");

        ServicePage exact = client.listServicesPage(under(base + "/").limit(7).build());
        assertEquals(expected, names(exact), "a limit the matches fill exactly");
        assertFalse(exact.hasNext(), "is one page: no next");
        ServicePage byOne = client.listServicesPage(under(base + "/").limit(6).build());
        assertEquals(expected.get(5), byOne.getNextCursor().orElse(null), "one more than the limit: a next page");
    }

    @Test
    public void iteratorFetchesPagesLazily() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String base = Fixtures.uniqueName("lazy") + "/";
        for (String suffix : new String[] {"a", "b", "c"}) {
            pulse(client, base + suffix);
        }
        Iterator<Service> services = client.services(under(base).limit(1).build()).iterator();
        assertEquals(base + "a", services.next().getName());
        pulse(client, base + "d"); // created during the walk, after its position: visited
        client.cancel(base + "b"); // removed before its page was fetched: not visited
        List<String> rest = new ArrayList<>();
        while (services.hasNext()) {
            rest.add(services.next().getName());
        }
        assertEquals(Arrays.asList(base + "c", base + "d"), rest);
        assertThrows(NoSuchElementException.class, services::next);
        assertFalse(client.services(under(base + "none").limit(5).build()).iterator().hasNext(), "no match, no service");
    }

    @Test
    public void keyPrefixBoundsTheListing() throws Exception {
        WatchtowerClient admin = Fixtures.http().client();
        String base = Fixtures.uniqueName("keyed");
        String mine = base + "-team-";
        for (String name : new String[] {mine + "a", mine + "b", base + "-other"}) {
            pulse(admin, name);
        }
        CreatedKey key = admin.createKey(Fixtures.uniqueName("list-key"), "read", mine, null);
        WatchtowerClient team = Fixtures.http().builder().password(key.getSecret()).build();
        assertEquals(Arrays.asList(mine + "a", mine + "b"), names(team.listServices(under(base).build())),
                "a broader prefix stays within the key's");
        assertEquals(Collections.singletonList(mine + "b"), names(team.listServices(under(mine + "b").build())),
                "a narrower one narrows");
        assertEquals(Collections.<String>emptyList(), names(team.listServices(under(base + "-other").build())),
                "one outside the key's lists none");
        assertEquals(Arrays.asList(mine + "a", mine + "b"), names(team.services(under(base).limit(1).build())),
                "paged within the key's prefix");
        for (Service service : team.listServices(ServiceQuery.all())) {
            assertTrue(service.getName().startsWith(mine), "without filters, only the key's services: " + service.getName());
        }
    }

    @Test
    public void badArgumentsAreRefused() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        // What the client can tell is wrong, it refuses before sending anything.
        assertThrows(IllegalArgumentException.class, () -> ServiceQuery.builder().statuses(ServiceStatus.UNKNOWN));
        assertThrows(IllegalArgumentException.class,
                () -> ServiceQuery.builder().statuses(Arrays.asList(ServiceStatus.DEAD, ServiceStatus.UNKNOWN)));
        assertThrows(NullPointerException.class, () -> ServiceQuery.builder().statuses(ServiceStatus.DEAD, null));
        assertThrows(IllegalArgumentException.class, () -> ServiceQuery.builder().prefix(""));
        assertThrows(NullPointerException.class, () -> client.listServices((ServiceQuery) null));
        assertThrows(NullPointerException.class, () -> client.listServicesPage(null));
        assertThrows(NullPointerException.class, () -> client.services(null));

        // What only the server knows, it answers with 400, naming the parameter.
        InvalidRequestException zero = assertThrows(InvalidRequestException.class,
                () -> client.listServicesPage(ServiceQuery.builder().limit(0).build()));
        assertEquals(400, zero.getStatus());
        assertEquals("limit", zero.getField());
        assertEquals("must be a whole number from 1 to 10000", zero.getProblem());
        assertEquals("limit", assertThrows(InvalidRequestException.class,
                () -> client.listServices(ServiceQuery.builder().limit(10_001).build())).getField());
        String tooLong = new String(new char[256]).replace('\0', 'x');
        InvalidRequestException prefix = assertThrows(InvalidRequestException.class,
                () -> client.listServices(ServiceQuery.builder().prefix(tooLong).build()));
        assertEquals("prefix", prefix.getField());
        assertContains(prefix.getProblem(), "1 to 255 characters");
        assertEquals("cursor", assertThrows(InvalidRequestException.class,
                () -> client.listServicesPage(ServiceQuery.builder().limit(5).cursor(tooLong).build())).getField());
        assertEquals("cursor", assertThrows(InvalidRequestException.class,
                () -> client.listServicesPage(ServiceQuery.builder().limit(5).cursor("").build())).getField());
    }
}
