package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;

/**
 * Pause, resume and the statuses {@code paused} and {@code late} against the real server. Nothing
 * here measures time: a paused service is compared with a control that is due at the same time,
 * and every wait is a bounded poll for what the server promises.
 */
public final class PauseTest {
    private static final Duration SHORT = Duration.ofMillis(400);

    private static Optional<Service> find(WatchtowerClient client, String name) {
        for (Service service : client.listServices()) {
            if (service.getName().equals(name)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    private static ServiceStatus statusOf(WatchtowerClient client, String name) {
        return find(client, name).map(Service::getStatus).orElseThrow(() -> new AssertionError(name + " is not listed"));
    }

    private static Service pulse(WatchtowerClient client, String name, Duration nextIn) {
        return client.pulse(name, nextIn, AlertType.WEBHOOK, "ops");
    }

    @Test
    public void pausedServiceDoesNotDieUntilResumed() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("paused");
        String control = Fixtures.uniqueName("paused-control");
        pulse(client, name, SHORT);
        pulse(client, control, SHORT);
        Service paused = client.pause(name);
        assertEquals(name, paused.getName());
        assertEquals(ServiceStatus.PAUSED, paused.getStatus());
        assertEquals(SHORT, paused.getNextIn());

        // The control, due at the same time, dies; the paused one does not.
        eventually("the control dies", () -> statusOf(client, control) == ServiceStatus.DEAD);
        Service listed = find(client, name).get();
        assertEquals(ServiceStatus.PAUSED, listed.getStatus(), "still paused after the control died: " + listed);
        assertEquals(listed, client.pause(name), "pausing twice answers it unchanged");

        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS); // the server's dates have milliseconds
        Service resumed = client.resume(name);
        Instant after = Instant.now();
        assertEquals(name, resumed.getName());
        assertEquals(ServiceStatus.UP, resumed.getStatus());
        assertEquals(SHORT, resumed.getNextIn());
        // A fresh window from the resume: nextIn (no grace here) after the server received it.
        assertFalse(resumed.getDeadline().isBefore(before.plus(SHORT)),
                "deadline " + resumed.getDeadline() + " at least nextIn after " + before);
        assertFalse(resumed.getDeadline().isAfter(after.plus(SHORT)),
                "deadline " + resumed.getDeadline() + " at most nextIn after " + after);

        // Watched again: without a pulse, it dies like the control did.
        eventually("the resumed service dies", () -> statusOf(client, name) == ServiceStatus.DEAD);
    }

    @Test
    public void resumeOfAServiceNotPausedAnswersItUnchanged() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("resume-up");
        Service up = pulse(client, name, Duration.ofMinutes(5));
        assertEquals(up, client.resume(name), "an up service is answered as it is");
        assertEquals(up, client.resume(name), "and again");

        String dead = Fixtures.uniqueName("resume-dead");
        pulse(client, dead, SHORT);
        eventually("the service dies", () -> statusOf(client, dead) == ServiceStatus.DEAD);
        Service listed = find(client, dead).get();
        Service answered = client.resume(dead);
        assertEquals(ServiceStatus.DEAD, answered.getStatus(), "a dead service stays dead");
        assertEquals(listed.getDeadline(), answered.getDeadline(), "its deadline unchanged");
        assertEquals(listed.getLastPulse(), answered.getLastPulse(), "its last pulse unchanged");
    }

    @Test
    public void pulseEndsAPause() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pause-pulse");
        pulse(client, name, Duration.ofMinutes(5));
        assertEquals(ServiceStatus.PAUSED, client.pause(name).getStatus());
        Service pulsed = pulse(client, name, Duration.ofMinutes(5));
        assertEquals(ServiceStatus.UP, pulsed.getStatus(), "a pulse ends the pause");
        assertEquals(ServiceStatus.UP, statusOf(client, name));
    }

    @Test
    public void deadServiceCanBePaused() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pause-dead");
        pulse(client, name, SHORT);
        eventually("the service dies", () -> statusOf(client, name) == ServiceStatus.DEAD);
        assertEquals(ServiceStatus.PAUSED, client.pause(name).getStatus());
        assertEquals(ServiceStatus.PAUSED, statusOf(client, name));
        assertEquals(ServiceStatus.UP, client.resume(name).getStatus());
    }

    @Test
    public void unknownServiceIsNotFound() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pause-never");
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.pause(name));
        assertEquals(404, e.getStatus());
        assertEquals("name: no service named `" + name + "`", e.getServerMessage());
        assertContains(e.getMessage(), e.getServerMessage());
        assertEquals(e.getServerMessage(), assertThrows(NotFoundException.class, () -> client.resume(name)).getServerMessage());
        // The name is one path segment, encoded: these reach the server as the names they are.
        for (String odd : Arrays.asList("a b/c?d#e%f", "..", ".", "é ✓", "x/pause")) {
            assertContains(assertThrows(NotFoundException.class, () -> client.pause(odd)).getServerMessage(),
                    "no service named `" + odd + "`");
            assertContains(assertThrows(NotFoundException.class, () -> client.resume(odd)).getServerMessage(),
                    "no service named `" + odd + "`");
        }
        assertThrows(IllegalArgumentException.class, () -> client.pause(""));
        assertThrows(IllegalArgumentException.class, () -> client.resume(""));
        assertThrows(NullPointerException.class, () -> client.pause(null));
    }

    @Test
    public void nameWithReservedCharactersRoundTrips() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String prefix = Fixtures.uniqueName("odd");
        String name = prefix + " a/b?c#d%20 é";
        String sibling = prefix + " a";   // what a raw '/' would cut the name to
        pulse(client, name, Duration.ofMinutes(5));
        pulse(client, sibling, Duration.ofMinutes(5));
        Service paused = client.pause(name);
        assertEquals(name, paused.getName());
        assertEquals(ServiceStatus.PAUSED, paused.getStatus());
        assertEquals(ServiceStatus.PAUSED, statusOf(client, name));
        assertEquals(ServiceStatus.UP, statusOf(client, sibling), "no other service is touched");
        Service resumed = client.resume(name);
        assertEquals(name, resumed.getName());
        assertEquals(ServiceStatus.UP, resumed.getStatus());
        assertEquals(name, client.cancel(name).getName());
    }

    @Test
    public void serviceInItsGraceIsListedLate() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("late");
        Service service = client.pulse(Pulse.builder(name)
                .nextIn(Duration.ofMillis(200))
                .grace(Duration.ofSeconds(600))
                .alert(AlertType.WEBHOOK, "ops")
                .build());
        assertEquals(service.getLastPulse().plus(Duration.ofMillis(200)).plus(Duration.ofSeconds(600)), service.getDeadline());
        eventually("listed late once past nextIn", () -> statusOf(client, name) == ServiceStatus.LATE);
        Service late = find(client, name).get();
        assertEquals(service.getDeadline(), late.getDeadline(), "late is not dead: the deadline stands");
        // Paused is not late, whatever the time.
        assertEquals(ServiceStatus.PAUSED, client.pause(name).getStatus());
        assertEquals(ServiceStatus.PAUSED, statusOf(client, name));
    }

    @Test
    public void pauseNeedsWriteScope() throws Exception {
        WatchtowerClient admin = Fixtures.http().client();
        String name = Fixtures.uniqueName("pause-scope");
        pulse(admin, name, Duration.ofMinutes(5));
        for (String scope : Arrays.asList("read", "ingest")) {
            WatchtowerClient limited = Fixtures.http().builder()
                    .password(admin.createKey(Fixtures.uniqueName("key-pause-" + scope), scope).getSecret()).build();
            ForbiddenException e = assertThrows(ForbiddenException.class, () -> limited.pause(name));
            assertEquals(403, e.getStatus());
            assertContains(e.getServerMessage(), "has scope `" + scope + "`");
            assertContains(assertThrows(ForbiddenException.class, () -> limited.resume(name)).getServerMessage(),
                    "has scope `" + scope + "`");
        }
        assertEquals(ServiceStatus.UP, statusOf(admin, name), "a refused pause does nothing");
        WatchtowerClient writer = Fixtures.http().builder()
                .password(admin.createKey(Fixtures.uniqueName("key-pause-write"), "write").getSecret()).build();
        assertEquals(ServiceStatus.PAUSED, writer.pause(name).getStatus());
        assertEquals(ServiceStatus.UP, writer.resume(name).getStatus());
        assertTrue(find(admin, name).isPresent(), "still there");
    }
}
