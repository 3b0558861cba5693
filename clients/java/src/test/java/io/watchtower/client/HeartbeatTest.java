package io.watchtower.client;

import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The background heartbeat, against the real server. */
public final class HeartbeatTest {
    private static Optional<Service> find(WatchtowerClient client, String name) {
        for (Service service : client.listServices()) {
            if (service.getName().equals(name)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    @Test
    public void pulsesRepeatedlyUntilStopped() throws Exception {
        final WatchtowerClient client = Fixtures.http().client();
        final String name = Fixtures.uniqueName("heartbeat");
        final List<Service> answers = new CopyOnWriteArrayList<>();
        Heartbeat heartbeat = client.heartbeat(Pulse.of(name, Duration.ofSeconds(30), AlertType.WEBHOOK, "ops"))
                .every(Duration.ofMillis(50))
                .onPulse(answers::add)
                .start();
        try {
            assertTrue(heartbeat.isRunning(), "running");
            eventually("a first pulse", () -> heartbeat.getPulseCount() >= 1);
            final Instant first = find(client, name).get().getLastPulse();
            eventually("lastPulse advances on the server", () -> find(client, name).get().getLastPulse().isAfter(first));
            eventually("three pulses", () -> heartbeat.getPulseCount() >= 3);
            assertEquals(0L, heartbeat.getFailureCount(), "no failure");
            assertEquals(name, heartbeat.getLastService().get().getName());
            assertTrue(answers.size() >= 3, "the listener saw every answer");
        } finally {
            heartbeat.stop();
        }
        assertFalse(heartbeat.isRunning(), "stopped");
        long pulses = heartbeat.getPulseCount();
        Service last = find(client, name).get();
        assertEquals(ServiceStatus.UP, last.getStatus(), "not cancelled: cancelOnStop was not asked");
        assertEquals(heartbeat.getLastService().get().getLastPulse(), last.getLastPulse(),
                "stop waited for the pulse in flight: the last answer is the last pulse");
        heartbeat.stop(); // idempotent
        assertEquals(pulses, heartbeat.getPulseCount(), "no pulse after stop");
        client.cancel(name);
    }

    @Test
    public void cancelsOnStopWhenAsked() throws Exception {
        final WatchtowerClient client = Fixtures.http().client();
        final String name = Fixtures.uniqueName("retiring");
        final Heartbeat heartbeat;
        try (Heartbeat h = client.heartbeat(Pulse.of(name, Duration.ofSeconds(30), AlertType.WEBHOOK, "ops"))
                .every(Duration.ofMillis(20))
                .cancelOnStop(true)
                .start()) {
            heartbeat = h;
            eventually("two pulses", () -> h.getPulseCount() >= 2);
            assertTrue(find(client, name).isPresent(), "monitored while running");
        } // close() stops and cancels
        assertFalse(heartbeat.isRunning(), "stopped");
        assertFalse(find(client, name).isPresent(), "cancelled on stop");
        assertFalse(heartbeat.getLastError().isPresent(), "no error: " + heartbeat.getLastError());
    }

    @Test
    public void cancelOnStopToleratesAServiceAlreadyGone() throws Exception {
        final WatchtowerClient client = Fixtures.http().client();
        final String name = Fixtures.uniqueName("gone");
        final List<WatchtowerException> errors = new CopyOnWriteArrayList<>();
        Heartbeat heartbeat = client.heartbeat(Pulse.of(name, Duration.ofSeconds(30), AlertType.WEBHOOK, "ops"))
                .every(Duration.ofSeconds(20))
                .cancelOnStop(true)
                .onError(errors::add)
                .start();
        eventually("a first pulse", () -> heartbeat.getPulseCount() >= 1);
        client.cancel(name);
        heartbeat.stop();
        assertEquals(0, errors.size(), "a 404 on the cancel is not an error: " + errors);
    }

    @Test
    public void errorsGoToTheListenerAndTheScheduleSurvives() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } // closed: connections to it are refused
        WatchtowerClient client = WatchtowerClient.builder().url("http://127.0.0.1:" + port).password("x").build();
        final List<WatchtowerException> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        Heartbeat heartbeat = client.heartbeat(Pulse.of("down", Duration.ofSeconds(10), AlertType.WEBHOOK, "ops"))
                .every(Duration.ofMillis(20))
                .cancelOnStop(true)
                .onError(e -> {
                    errors.add(e);
                    if (calls.incrementAndGet() % 2 == 0) {
                        throw new IllegalStateException("a listener that fails must not stop the heartbeat");
                    }
                })
                .start();
        // The failing listener is logged: keep that out of the test output.
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Heartbeat.class.getName());
        log.setLevel(java.util.logging.Level.OFF);
        try {
            eventually("three failures", () -> heartbeat.getFailureCount() >= 3);
            assertTrue(heartbeat.isRunning(), "still running after failures");
            assertTrue(errors.get(0) instanceof ServerUnavailableException, "unavailable: " + errors.get(0));
            assertEquals(0L, heartbeat.getPulseCount(), "no pulse got through");
        } finally {
            heartbeat.stop();
            log.setLevel(null);
        }
        assertTrue(heartbeat.getLastError().get() instanceof ServerUnavailableException, "the failed cancel is reported too");
    }

    @Test
    public void periodMustBeShorterThanNextIn() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        Pulse pulse = Pulse.of("x", Duration.ofSeconds(10), AlertType.WEBHOOK, "ops");
        assertThrows(IllegalArgumentException.class, () -> client.heartbeat(pulse).every(Duration.ofSeconds(10)).start());
        assertThrows(IllegalArgumentException.class, () -> client.heartbeat(pulse).every(Duration.ZERO));
    }

    @Test
    public void scheduledPulseIsRefused() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        Pulse scheduled = Pulse.builder("x").schedule("@hourly").tz("UTC").alert(AlertType.WEBHOOK, "ops").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.heartbeat(scheduled));
        assertTrue(e.getMessage().startsWith("a heartbeat pulses every so often: give its pulse a nextIn, not a schedule"),
                e.getMessage());
    }

    @Test
    public void pulseWithGraceBeats() throws Exception {
        final WatchtowerClient client = Fixtures.http().client();
        final String name = Fixtures.uniqueName("graced");
        Pulse pulse = Pulse.builder(name).nextIn(Duration.ofSeconds(10)).grace(Duration.ofSeconds(5))
                .alert(AlertType.WEBHOOK, "ops").build();
        try (final Heartbeat heartbeat = client.heartbeat(pulse).start()) {
            eventually("the first pulse", () -> heartbeat.getLastService().isPresent());
            Service service = heartbeat.getLastService().get();
            assertEquals(Optional.of(Duration.ofSeconds(5)), service.getGrace());
            assertEquals(service.getLastPulse().plusSeconds(15), service.getDeadline());
        }
    }

    @Test
    public void nextInMustBeAtLeastATenthOfASecond() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        Pulse tooShort = Pulse.of("x", Duration.ofMillis(99), AlertType.WEBHOOK, "ops");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> client.heartbeat(tooShort).every(Duration.ofMillis(20)).start());
        assertEquals("nextIn must be at least 0.1 seconds (100 ms): PT0.099S", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client.heartbeat(tooShort).start());
        Pulse zero = Pulse.of("x", Duration.ZERO, AlertType.WEBHOOK, "ops");
        assertEquals("nextIn must be positive: PT0S",
                assertThrows(IllegalArgumentException.class, () -> client.heartbeat(zero).start()).getMessage());
    }

    @Test
    public void stopFromTheListenerDoesNotDeadlock() throws Exception {
        final WatchtowerClient client = Fixtures.http().client();
        final String name = Fixtures.uniqueName("self-stop");
        final Heartbeat[] self = new Heartbeat[1];
        final AtomicInteger seen = new AtomicInteger();
        Heartbeat heartbeat = client.heartbeat(Pulse.of(name, Duration.ofSeconds(30), AlertType.WEBHOOK, "ops"))
                .every(Duration.ofMillis(20))
                .cancelOnStop(true)
                .onPulse(service -> {
                    if (seen.incrementAndGet() >= 2) {
                        Heartbeat me;
                        synchronized (self) {
                            me = self[0];
                        }
                        if (me != null) {
                            me.stop();
                        }
                    }
                })
                .start();
        synchronized (self) {
            self[0] = heartbeat;
        }
        eventually("stopped by its listener", () -> !heartbeat.isRunning());
        eventually("and cancelled", () -> !find(client, name).isPresent());
    }

    @Test
    public void cancelsOnJvmShutdownWhenAsked() throws Exception {
        final WatchtowerServer server = Fixtures.http();
        final WatchtowerClient client = server.client();
        final String name = Fixtures.uniqueName("jvm-shutdown");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName(), server.url(), WatchtowerServer.PASSWORD, name)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("pulsing", out.readLine(), "the program's first line");
            assertTrue(find(client, name).isPresent(), "monitored while the program runs");
            process.destroy(); // SIGTERM: a clean shutdown, which runs the shutdown hooks
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the program ends");
            assertFalse(find(client, name).isPresent(), "cancelled by the shutdown hook");
        } finally {
            process.destroyForcibly();
        }
    }
}
