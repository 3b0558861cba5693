package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pulse, cancel and list services against the real server, and its errors. */
public final class ServicesTest {
    private static Optional<Service> find(WatchtowerClient client, String name) {
        for (Service service : client.listServices()) {
            if (service.getName().equals(name)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    @Test
    public void pulseAnswersTheService() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("pulse");
        Service service = client.pulse(name, Duration.ofMillis(90_500), AlertType.WEBHOOK, "ops");
        assertEquals(name, service.getName());
        assertEquals(AlertType.WEBHOOK, service.getAlertType());
        assertEquals("ops", service.getAlertTarget());
        assertEquals(Duration.ofMillis(90_500), service.getNextIn());
        assertEquals(ServiceStatus.UP, service.getStatus());
        assertEquals(service.getLastPulse().plus(Duration.ofMillis(90_500)), service.getDeadline());
        assertFalse(service.getRemindEvery().isPresent(), "no remindEvery");
        assertFalse(service.getDependsOn().isPresent(), "no dependsOn");
        assertFalse(service.getFlappingSince().isPresent(), "not flapping");
        assertEquals(Optional.of(service), find(client, name), "listed as answered");
    }

    @Test
    public void pulseSetsAndClearsOptionalFields() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("optional");
        String parent = Fixtures.uniqueName("parent");
        Service service = client.pulse(Pulse.builder(name)
                .nextIn(Duration.ofMinutes(5))
                .alert(AlertType.WEBHOOK, "ops")
                .remindEvery(Duration.ofHours(1))
                .dependsOn(parent)
                .build());
        assertEquals(Optional.of(Duration.ofHours(1)), service.getRemindEvery());
        assertEquals(Optional.of(parent), service.getDependsOn());
        Service again = client.pulse(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        assertFalse(again.getRemindEvery().isPresent(), "a pulse without remindEvery clears it");
        assertFalse(again.getDependsOn().isPresent(), "a pulse without dependsOn clears it");
        assertFalse(again.getLastPulse().isBefore(service.getLastPulse()), "lastPulse moves forward");
    }

    @Test
    public void listServicesIsSortedByName() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String prefix = Fixtures.uniqueName("list");
        client.pulse(prefix + "-b", Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        client.pulse(prefix + "-a", Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        List<String> names = new ArrayList<>();
        for (Service service : client.listServices()) {
            names.add(service.getName());
        }
        assertTrue(names.indexOf(prefix + "-a") >= 0 && names.indexOf(prefix + "-a") < names.indexOf(prefix + "-b"),
                "both listed, a before b: " + names);
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "sorted by name");
        assertThrows(UnsupportedOperationException.class, () -> client.listServices().clear());
    }

    @Test
    public void cancelRemovesTheService() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("cancel é ✓");
        client.pulse(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        Service removed = client.cancel(name);
        assertEquals(name, removed.getName());
        assertFalse(find(client, name).isPresent(), "no longer listed");
    }

    @Test
    public void cancelUnknownIsNotFound() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("never-pulsed");
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.cancel(name));
        assertEquals(404, e.getStatus());
        assertContains(e.getServerMessage(), "no service named `" + name + "`");
        assertContains(e.getMessage(), e.getServerMessage());
    }

    @Test
    public void invalidNextInNamesTheField() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.pulse(Fixtures.uniqueName("bad"), Duration.ofSeconds(-5), AlertType.WEBHOOK, "ops"));
        assertEquals(400, e.getStatus());
        assertEquals("nextIn", e.getField());
        assertEquals("must be a positive number of seconds", e.getProblem());
        assertEquals("nextIn: must be a positive number of seconds", e.getServerMessage());
    }

    @Test
    public void otherInvalidFieldsAreNamed() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        assertEquals("alertTarget", assertThrows(InvalidRequestException.class,
                () -> client.pulse(Fixtures.uniqueName("bad"), Duration.ofSeconds(60), AlertType.WEBHOOK, "no-such-hook")).getField());
        assertEquals("service", assertThrows(InvalidRequestException.class,
                () -> client.pulse("", Duration.ofSeconds(60), AlertType.WEBHOOK, "ops")).getField());
        assertEquals("nextIn", assertThrows(InvalidRequestException.class,
                () -> client.pulse(Fixtures.uniqueName("bad"), Duration.ofDays(366), AlertType.WEBHOOK, "ops")).getField());
    }

    @Test
    public void wrongPasswordIsAuthenticationError() throws Exception {
        WatchtowerClient client = Fixtures.http().builder().password("wrong").build();
        AuthenticationException e = assertThrows(AuthenticationException.class, client::listServices);
        assertEquals(401, e.getStatus());
        assertEquals("missing or wrong `password` header", e.getServerMessage());
        // Requests with a body too keep the server's message (HttpURLConnection drops it in streaming mode).
        assertEquals(e.getServerMessage(), assertThrows(AuthenticationException.class,
                () -> client.pulse(Fixtures.uniqueName("auth"), Duration.ofSeconds(60), AlertType.WEBHOOK, "ops")).getServerMessage());
        assertEquals(e.getServerMessage(), assertThrows(AuthenticationException.class, () -> client.cancel("x")).getServerMessage());
        assertEquals(e.getServerMessage(), assertThrows(AuthenticationException.class,
                () -> client.addEvent("x", Level.INFO, "m")).getServerMessage());
        assertEquals(e.getServerMessage(), assertThrows(AuthenticationException.class,
                () -> client.listEvents(EventQuery.all())).getServerMessage());
    }

    @Test
    public void stoppedServerIsUnavailable() throws Exception {
        WatchtowerClient client;
        try (WatchtowerServer server = WatchtowerServer.startHttp()) {
            client = server.client();
            client.listServices();
        }
        ServerUnavailableException e = assertThrows(ServerUnavailableException.class, client::listServices);
        assertEquals(0, e.getStatus());
    }

    @Test
    public void clientIsThreadSafe() throws Exception {
        final WatchtowerClient client = Fixtures.http().client();
        final String name = Fixtures.uniqueName("threads");
        final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            final int n = i;
            Thread thread = new Thread(() -> {
                try {
                    for (int j = 0; j < 5; j++) {
                        client.addEvent(name, Level.INFO, "thread " + n + " event " + j);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        assertEquals(new ArrayList<Throwable>(), failures);
        int count = 0;
        for (Event ignored : client.events(EventQuery.builder().service(name).build())) {
            count++;
        }
        assertEquals(40, count);
    }
}
