package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code declare} ({@code PUT /services/{name}}) against the real server. Nothing here measures
 * time: deadlines are compared with the dates the server answers, and the death of a declared
 * service is a bounded poll.
 */
public final class DeclareTest {
    private static Optional<Service> find(WatchtowerClient client, String name) {
        for (Service service : client.listServices()) {
            if (service.getName().equals(name)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    private static Service listed(WatchtowerClient client, String name) {
        return find(client, name).orElseThrow(() -> new AssertionError(name + " is not listed"));
    }

    @Test
    public void declaredServiceIsNewUntilItPulses() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("declared");
        Service declared = client.declare(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        assertEquals(name, declared.getName());
        assertEquals(ServiceStatus.NEW, declared.getStatus());
        assertTrue(declared.isNeverPulsed(), "never pulsed: " + declared);
        assertEquals(Optional.of(declared.getLastPulse()), declared.getFirstSeen(), "first seen when declared");
        assertEquals(Duration.ofMinutes(5), declared.getNextIn());
        assertEquals(declared.getLastPulse().plus(Duration.ofMinutes(5)), declared.getDeadline());
        assertEquals(declared, listed(client, name), "listed as answered");

        // Declared again as it is: nothing changes.
        Service again = client.declare(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        assertEquals(declared, again, "an unchanged declaration answers the service as it was");
        assertEquals(declared.getDeadline(), again.getDeadline());

        // Another nextIn: the deadline recounted from the declaration, still new.
        Service changed = client.declare(Pulse.builder(name)
                .nextIn(Duration.ofMinutes(10))
                .alert(AlertType.WEBHOOK, "ops")
                .build());
        assertEquals(Duration.ofMinutes(10), changed.getNextIn());
        assertEquals(ServiceStatus.NEW, changed.getStatus(), "status kept");
        assertTrue(changed.isNeverPulsed(), "still never pulsed");
        assertEquals(declared.getLastPulse(), changed.getLastPulse());
        assertEquals(declared.getFirstSeen(), changed.getFirstSeen());
        assertEquals(declared.getLastPulse().plus(Duration.ofMinutes(10)), changed.getDeadline());

        // Its first pulse brings it up.
        Service pulsed = client.pulse(name, Duration.ofMinutes(10), AlertType.WEBHOOK, "ops");
        assertEquals(ServiceStatus.UP, pulsed.getStatus());
        assertFalse(pulsed.isNeverPulsed(), "pulsed: " + pulsed);
        assertFalse(pulsed.toString().contains("neverPulsed"), "absent once pulsed: " + pulsed);
        assertEquals(declared.getFirstSeen(), pulsed.getFirstSeen(), "first seen when declared, not when pulsed");
        assertEquals(ServiceStatus.UP, listed(client, name).getStatus());

        // Declaring a monitored service changes its settings and keeps its status.
        Service redeclared = client.declare(Pulse.builder(name)
                .nextIn(Duration.ofMinutes(20))
                .grace(Duration.ofMinutes(1))
                .alert(AlertType.WEBHOOK, "ops")
                .build());
        assertEquals(ServiceStatus.UP, redeclared.getStatus());
        assertFalse(redeclared.isNeverPulsed(), "still pulsed");
        assertEquals(pulsed.getLastPulse(), redeclared.getLastPulse(), "a declaration is not a pulse");
        assertEquals(Optional.of(Duration.ofMinutes(1)), redeclared.getGrace());
        assertEquals(pulsed.getLastPulse().plus(Duration.ofMinutes(21)), redeclared.getDeadline());
    }

    @Test
    public void declaredServiceThatNeverPulsesDies() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("declared-dies");
        Service declared = client.declare(name, Duration.ofMillis(300), AlertType.WEBHOOK, "ops");
        assertEquals(ServiceStatus.NEW, declared.getStatus());
        eventually("the declared service dies", () -> listed(client, name).getStatus() == ServiceStatus.DEAD);
        Service dead = listed(client, name);
        assertTrue(dead.isNeverPulsed(), "dead without a first pulse: " + dead);
        assertEquals(declared.getDeadline(), dead.getDeadline());
        Service pulsed = client.pulse(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        assertEquals(ServiceStatus.UP, pulsed.getStatus());
        assertFalse(pulsed.isNeverPulsed(), "pulsed: " + pulsed);
    }

    @Test
    public void scheduledDeclarationAndOddName() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String prefix = Fixtures.uniqueName("declared-odd");
        String name = prefix + " a/b?c#d%20 é";
        Service declared = client.declare(Pulse.builder(name)
                .schedule("@daily")
                .tz("Europe/Berlin")
                .grace(Duration.ofMinutes(15))
                .alert(AlertType.WEBHOOK, "ops")
                .build());
        assertEquals(name, declared.getName(), "the name is one path segment");
        assertEquals(ServiceStatus.NEW, declared.getStatus());
        assertEquals(Optional.of("@daily"), declared.getSchedule());
        assertEquals(Optional.of("Europe/Berlin"), declared.getTz());
        assertEquals(declared.getLastPulse().plus(declared.getNextIn()).plus(Duration.ofMinutes(15)), declared.getDeadline());
        assertFalse(find(client, prefix + " a").isPresent(), "no other service is declared");
        assertEquals(name, client.cancel(name).getName());
        assertThrows(IllegalArgumentException.class,
                () -> client.declare("", Duration.ofMinutes(5), AlertType.WEBHOOK, "ops"));
        assertThrows(NullPointerException.class, () -> client.declare(null));
    }

    @Test
    public void badDeclarationNamesTheField() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("declared-bad");
        // Neither nextIn nor schedule cannot be built: the client refuses it before sending.
        assertThrows(IllegalStateException.class, () -> Pulse.builder(name).alert(AlertType.WEBHOOK, "ops").build());
        // A nextIn the server refuses.
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.declare(name, Duration.ZERO, AlertType.WEBHOOK, "ops"));
        assertEquals("nextIn", e.getField());
        assertContains(e.getMessage(), "PUT ");
        InvalidRequestException cron = assertThrows(InvalidRequestException.class,
                () -> client.declare(Pulse.scheduled(name, "not cron", AlertType.WEBHOOK, "ops")));
        assertEquals("schedule", cron.getField());
        InvalidRequestException webhook = assertThrows(InvalidRequestException.class,
                () -> client.declare(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "no-such-webhook"));
        assertEquals("alertTarget", webhook.getField());
        assertFalse(find(client, name).isPresent(), "a refused declaration declares nothing");
    }

    @Test
    public void declareNeedsWriteScope() throws Exception {
        WatchtowerClient admin = Fixtures.http().client();
        String name = Fixtures.uniqueName("declared-scope");
        for (String scope : Arrays.asList("read", "ingest")) {
            WatchtowerClient limited = Fixtures.http().builder()
                    .password(admin.createKey(Fixtures.uniqueName("key-declare-" + scope), scope).getSecret()).build();
            ForbiddenException e = assertThrows(ForbiddenException.class,
                    () -> limited.declare(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops"));
            assertEquals(403, e.getStatus());
            assertContains(e.getServerMessage(), "has scope `" + scope + "`");
        }
        assertFalse(find(admin, name).isPresent(), "a refused declaration declares nothing");

        String prefix = Fixtures.uniqueName("team");
        WatchtowerClient team = Fixtures.http().builder()
                .password(admin.createKey(Fixtures.uniqueName("key-declare-prefix"), "write", prefix, null).getSecret())
                .build();
        assertThrows(ForbiddenException.class, () -> team.declare(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops"));
        Service own = team.declare(prefix + "-job", Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        assertEquals(ServiceStatus.NEW, own.getStatus());
    }
}
