package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A job's runs ({@code start}, {@code fail}) and the ping history ({@code pings}) against the real
 * server. Nothing here measures time: a run's duration is only checked to be there and not
 * negative, and every service is due minutes away, so that none dies while a test runs.
 */
public final class RunsTest {
    private static final Duration LATER = Duration.ofMinutes(5);

    private static Pulse pulseOf(String name) {
        return Pulse.of(name, LATER, AlertType.WEBHOOK, "ops");
    }

    private static Service listed(WatchtowerClient client, String name) {
        for (Service service : client.listServices()) {
            if (service.getName().equals(name)) {
                return service;
            }
        }
        throw new AssertionError(name + " is not listed");
    }

    private static List<String> kinds(List<Ping> pings) {
        List<String> kinds = new ArrayList<>();
        for (Ping ping : pings) {
            kinds.add(ping.getKind());
        }
        return kinds;
    }

    private static boolean hasErrorEvent(WatchtowerClient client, String name, String message) {
        for (Event event : client.events(EventQuery.builder().service(name).minLevel(Level.ERROR).build())) {
            if (event.getLevel() == Level.ERROR && event.getMessage().equals(message)) {
                return true;
            }
        }
        return false;
    }

    @Test
    public void pulseShowsInThePings() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pings-pulse");
        client.pulse(pulseOf(name));
        List<Ping> pings = client.pings(name);
        assertEquals(1, pings.size(), "one pulse, one ping: " + pings);
        Ping ping = pings.get(0);
        assertEquals("pulse", ping.getKind());
        assertEquals("api", ping.getSource());
        assertEquals(Optional.of("127.0.0.1"), ping.getClient());
        assertEquals(Optional.of("watchtower-java/" + WatchtowerClient.VERSION), ping.getUserAgent());
        assertEquals(Optional.empty(), ping.getDuration(), "no run ended: " + ping);
        assertThrows(UnsupportedOperationException.class, () -> pings.add(ping));
    }

    @Test
    public void startRunsANewServiceAndTheNextPulseEndsTheRun() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("run");
        Service started = client.start(pulseOf(name));
        assertEquals(name, started.getName());
        assertEquals(ServiceStatus.UP, started.getStatus());
        assertEquals(LATER, started.getNextIn());
        assertEquals(Optional.of(started.getLastPulse()), started.getRunningSince(), "running since the start, a pulse");
        assertEquals(started.getRunningSince(), listed(client, name).getRunningSince(), "listed running");
        assertEquals(Arrays.asList("start"), kinds(client.pings(name)));

        Service pulsed = client.pulse(pulseOf(name));
        assertEquals(Optional.empty(), pulsed.getRunningSince(), "the pulse ends the run: " + pulsed);
        assertEquals(Optional.empty(), listed(client, name).getRunningSince());
        List<Ping> pings = client.pings(name);
        assertEquals(Arrays.asList("pulse", "start"), kinds(pings), "newest first");
        Duration duration = pings.get(0).getDuration()
                .orElseThrow(() -> new AssertionError("the pulse that ended the run has its duration: " + pings));
        assertFalse(duration.isNegative(), "duration " + duration);
        assertEquals(Optional.empty(), pings.get(1).getDuration(), "the start has none");

        Service again = client.pulse(pulseOf(name));
        assertEquals(Optional.empty(), again.getRunningSince());
        assertEquals(Optional.empty(), client.pings(name).get(0).getDuration(), "a pulse outside a run has no duration");
    }

    @Test
    public void identicalPulsesFoldButNotIntoOrFromThePulseEndingARun() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pings-folded");
        for (int i = 0; i < 3; i++) {
            client.pulse(pulseOf(name));
        }
        List<Ping> folded = client.pings(name);
        assertEquals(1, folded.size(), "three identical pulses, one entry: " + folded);
        Ping entry = folded.get(0);
        assertEquals("pulse", entry.getKind());
        assertEquals(3L, entry.getCount(), "counted: " + entry);
        Instant last = entry.getLastDate().orElseThrow(() -> new AssertionError("a folded entry has its lastDate: " + entry));
        assertFalse(last.isBefore(entry.getDate()), "lastDate " + last + " before date " + entry.getDate());
        assertEquals(Optional.empty(), entry.getDuration());

        String run = Fixtures.uniqueName("pings-run");
        client.start(pulseOf(run));
        client.pulse(pulseOf(run));
        client.pulse(pulseOf(run));
        List<Ping> pings = client.pings(run);
        assertEquals(Arrays.asList("pulse", "pulse", "start"), kinds(pings), "newest first: " + pings);
        Ping next = pings.get(0);
        Ping ending = pings.get(1);
        assertTrue(ending.getDuration().isPresent(), "the pulse ending the run has its duration: " + ending);
        assertEquals(Optional.empty(), next.getDuration(), "the next pulse has none: " + next);
        for (Ping ping : Arrays.asList(next, ending)) {
            assertEquals(1L, ping.getCount(), "not folded: " + ping);
            assertEquals(Optional.empty(), ping.getLastDate());
        }
    }

    @Test
    public void startByNameUsesTheStoredSettings() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("run-stored");
        Service pulsed = client.pulse(Pulse.builder(name).nextIn(LATER).grace(Duration.ofMinutes(1))
                .alert(AlertType.WEBHOOK, "ops").build());
        assertEquals(Optional.empty(), pulsed.getRunningSince(), "not running before a start");
        Service started = client.start(name);
        assertEquals(Optional.of(started.getLastPulse()), started.getRunningSince());
        assertEquals(LATER, started.getNextIn(), "its own nextIn");
        assertEquals(Optional.of(Duration.ofMinutes(1)), started.getGrace(), "its own grace");
        assertEquals("ops", started.getAlertTarget());
        assertEquals(Arrays.asList("start", "pulse"), kinds(client.pings(name)));
    }

    @Test
    public void startOfAnUnknownServiceByNameIsNotFound() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("run-never");
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.start(name));
        assertEquals(404, e.getStatus());
        assertContains(e.getServerMessage(), "no service named `" + name + "`");
        assertThrows(NotFoundException.class, () -> client.pings(name));
        assertThrows(IllegalArgumentException.class, () -> client.start(""));
        assertThrows(NullPointerException.class, () -> client.start((String) null));
        assertThrows(NullPointerException.class, () -> client.start((Pulse) null));
    }

    @Test
    public void failMarksTheServiceDeadAtOnce() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("run-fail");
        client.start(pulseOf(name));
        Service failed = client.fail(name, "exit 3: disk full");
        assertEquals(ServiceStatus.DEAD, failed.getStatus(), "dead at once, long before its deadline");
        assertEquals(Optional.empty(), failed.getRunningSince(), "the failure ends the run");
        assertEquals(ServiceStatus.DEAD, listed(client, name).getStatus());
        List<Ping> pings = client.pings(name);
        assertEquals(Arrays.asList("fail", "start"), kinds(pings));
        Ping fail = pings.get(0);
        assertEquals(Optional.of("exit 3: disk full"), fail.getBody());
        assertEquals("api", fail.getSource());
        assertFalse(fail.getDuration().orElseThrow(() -> new AssertionError("timed: " + fail)).isNegative(), "duration");
        // The message is an error event too.
        assertTrue(hasErrorEvent(client, name, "exit 3: disk full"), "the message is an error event");

        // A pulse brings it back up.
        assertEquals(ServiceStatus.UP, client.pulse(pulseOf(name)).getStatus());
    }

    @Test
    public void failWithoutAMessage() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("run-fail-bare");
        client.pulse(pulseOf(name));
        Service failed = client.fail(name);
        assertEquals(ServiceStatus.DEAD, failed.getStatus());
        Ping fail = client.pings(name).get(0);
        assertEquals("fail", fail.getKind());
        assertEquals(Optional.empty(), fail.getDuration(), "no run was under way: " + fail);
        String said = fail.getBody().orElseThrow(() -> new AssertionError("the server says what failed: " + fail));
        assertTrue(hasErrorEvent(client, name, said), "an error event all the same");
    }

    @Test
    public void failOfAnUnknownServiceIsNotFound() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("fail-never");
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.fail(name, "exit 1"));
        assertEquals(404, e.getStatus());
        assertContains(e.getServerMessage(), "no service named `" + name + "`");
        assertThrows(NotFoundException.class, () -> client.fail(name));
        assertFalse(client.events(EventQuery.builder().service(name).build()).iterator().hasNext(), "no event recorded");
        assertThrows(IllegalArgumentException.class, () -> client.fail(""));
        assertThrows(NullPointerException.class, () -> client.fail(name, null));
    }

    @Test
    public void pingsTakeALimit() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pings-limit");
        client.pulse(pulseOf(name));
        client.start(name);
        client.pulse(pulseOf(name));
        List<Ping> all = client.pings(name);
        assertEquals(Arrays.asList("pulse", "start", "pulse"), kinds(all));
        List<Ping> one = client.pings(name, 1);
        assertEquals(1, one.size(), "limit 1: " + one);
        assertEquals(all.get(0), one.get(0), "the newest");
        assertEquals(all.subList(0, 2), client.pings(name, 2));
        assertEquals(all, client.pings(name, 10_000));
        for (int limit : new int[] {0, -1, 10_001}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> client.pings(name, limit));
            assertEquals("limit", e.getField());
        }
    }

    @Test
    public void nameWithReservedCharactersRoundTrips() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String prefix = Fixtures.uniqueName("run-odd");
        String name = prefix + " a/b?c#d%20 é";
        String sibling = prefix + " a";   // what a raw '/' would cut the name to
        client.pulse(pulseOf(sibling));
        assertEquals(name, client.start(pulseOf(name)).getName());
        assertEquals(name, client.start(name).getName());
        assertEquals(Arrays.asList("start", "start"), kinds(client.pings(name)));
        assertEquals(ServiceStatus.DEAD, client.fail(name, "x").getStatus());
        assertEquals(Arrays.asList("fail", "start", "start"), kinds(client.pings(name)));
        assertEquals(Arrays.asList("pulse"), kinds(client.pings(sibling)), "no other service is touched");
        assertEquals(ServiceStatus.UP, listed(client, sibling).getStatus());
    }

    @Test
    public void readKeyReadsThePingsAndIngestKeyRunsThem() throws Exception {
        WatchtowerClient admin = Fixtures.http().client();
        String name = Fixtures.uniqueName("run-scope");
        admin.pulse(pulseOf(name));
        WatchtowerClient reader = Fixtures.http().builder()
                .password(admin.createKey(Fixtures.uniqueName("key-pings-read"), "read").getSecret()).build();
        WatchtowerClient ingester = Fixtures.http().builder()
                .password(admin.createKey(Fixtures.uniqueName("key-runs-ingest"), "ingest").getSecret()).build();

        assertEquals(admin.pings(name), reader.pings(name), "a read key reads the pings");
        assertEquals(1, reader.pings(name, 1).size());
        assertContains(assertThrows(ForbiddenException.class, () -> reader.start(name)).getServerMessage(),
                "has scope `read`");
        assertContains(assertThrows(ForbiddenException.class, () -> reader.fail(name, "x")).getServerMessage(),
                "has scope `read`");

        assertTrue(ingester.start(name).getRunningSince().isPresent(), "an ingest key starts a run");
        assertTrue(ingester.start(pulseOf(name)).getRunningSince().isPresent(), "with settings too");
        assertEquals(ServiceStatus.DEAD, ingester.fail(name, "exit 2").getStatus(), "and fails it");
        ForbiddenException e = assertThrows(ForbiddenException.class, () -> ingester.pings(name));
        assertEquals(403, e.getStatus());
        assertContains(e.getServerMessage(), "has scope `ingest`");
        assertThrows(ForbiddenException.class, () -> ingester.pings(name, 1));
        assertEquals(Arrays.asList("fail", "start", "start", "pulse"), kinds(reader.pings(name)));
    }
}
