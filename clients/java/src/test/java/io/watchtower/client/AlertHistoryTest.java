package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import io.watchtower.client.AlertTest.Receiver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Alerts as they fared ({@code GET /alerts}) against the real server, whose webhooks point at two
 * receivers started here: {@code fine} takes every alert, {@code broken} answers 503 to every
 * alert, so the alert sent there stays pending, retried, with the channel's error.
 */
public final class AlertHistoryTest {
    /**
     * The receivers, a server alerting them (retrying quickly, without storm control, which could
     * fold the two deaths into a digest), and a service dead on each, once the one's alert was
     * sent and the other's tried and refused.
     */
    static final class Setup implements AutoCloseable {
        final Receiver fine;
        final Receiver broken;
        final WatchtowerServer server;
        final String prefix = Fixtures.uniqueName("hist") + "-";
        final String delivered = prefix + "a-fine";
        final String refused = prefix + "b-lost";
        AlertRecord sent;
        AlertRecord failing;

        private Setup(Receiver fine, Receiver broken, WatchtowerServer server) {
            this.fine = fine;
            this.broken = broken;
            this.server = server;
        }

        static Setup start() throws Exception {
            Receiver fine = new Receiver(200);
            Receiver broken = new Receiver(503);
            Setup setup = null;
            try {
                Map<String, Object> webhooks = new LinkedHashMap<>();
                webhooks.put("fine", Collections.singletonMap("url", fine.url()));
                webhooks.put("broken", Collections.singletonMap("url", broken.url()));
                Map<String, Object> alerts = new LinkedHashMap<>();
                alerts.put("timeout", 2);
                alerts.put("retryMin", 0.2);
                alerts.put("retryMax", 1);
                alerts.put("storm", Collections.singletonMap("enabled", false));
                Map<String, Object> config = new LinkedHashMap<>();
                config.put("webhooks", webhooks);
                config.put("alerts", alerts);
                setup = new Setup(fine, broken, WatchtowerServer.startHttp(config));
                setup.killBoth();
                return setup;
            } catch (Exception | AssertionError e) {
                if (setup != null) {
                    setup.close();
                } else {
                    fine.close();
                    broken.close();
                }
                throw e;
            }
        }

        /** Pulses a service to each webhook with a nextIn of 0.2 s, and waits (bounded) for their alerts. */
        private void killBoth() throws Exception {
            final WatchtowerClient client = server.client();
            client.pulse(delivered, Duration.ofMillis(200), AlertType.WEBHOOK, "fine");
            client.pulse(refused, Duration.ofMillis(200), AlertType.WEBHOOK, "broken");
            final AtomicReference<AlertRecord> newest = new AtomicReference<>();
            eventually("a failed attempt of " + refused + "'s alert", () -> {
                newest.set(newest(client, refused));
                return newest.get() != null && newest.get().getAttempts() >= 1;
            });
            failing = newest.get();
            eventually(delivered + "'s alert to be sent", () -> {
                newest.set(newest(client, delivered));
                return newest.get() != null && newest.get().getState().equals("sent");
            });
            sent = newest.get();
        }

        private static AlertRecord newest(WatchtowerClient client, String service) {
            List<AlertRecord> alerts = client.listAlerts(AlertQuery.builder().service(service).build());
            return alerts.isEmpty() ? null : alerts.get(0);
        }

        @Override
        public void close() throws IOException {
            try {
                server.close();
            } finally {
                fine.close();
                broken.close();
            }
        }
    }

    private final Setup setup;
    private final WatchtowerClient client;

    public AlertHistoryTest() throws Exception {
        setup = Fixtures.shared("alert-history", Setup.class, Setup::start);
        client = setup.server.client();
    }

    private static List<String> services(List<AlertRecord> alerts) {
        List<String> services = new ArrayList<>();
        for (AlertRecord alert : alerts) {
            services.add(alert.getService());
        }
        return services;
    }

    private List<AlertRecord> list(AlertQuery.Builder query) {
        return client.listAlerts(query.build());
    }

    @Test
    public void refusedAlertIsPendingWithTheChannelsErrorAndItsNextAttempt() {
        AlertRecord alert = setup.failing;
        assertEquals(setup.refused, alert.getService());
        assertEquals("down", alert.getKind());
        assertEquals("webhook", alert.getAlertType());
        assertEquals("broken", alert.getAlertTarget());
        assertEquals("pending", alert.getState());
        assertTrue(alert.getAttempts() >= 1, "attempts: " + alert);
        assertTrue(alert.isFailing(), "failing: " + alert);
        assertContains(alert.getLastError().orElse(null), "503");
        assertTrue(alert.getNextAttempt().isPresent(), "a next attempt: " + alert);
        assertFalse(alert.getFannedFrom().isPresent(), "not a route channel's delivery: " + alert);
        assertContains(alert.toString(), "lastError=");
    }

    @Test
    public void deliveredAlertIsSentWithoutAnErrorOrANextAttempt() {
        AlertRecord alert = setup.sent;
        assertEquals(setup.delivered, alert.getService());
        assertEquals("down", alert.getKind());
        assertEquals("fine", alert.getAlertTarget());
        assertEquals("sent", alert.getState());
        assertEquals(1, alert.getAttempts());
        assertFalse(alert.isFailing(), "not failing: " + alert);
        assertEquals(Optional.empty(), alert.getLastError());
        assertEquals(Optional.empty(), alert.getNextAttempt());
        assertEquals(Optional.empty(), alert.getFannedFrom());
        boolean received = false;
        for (Receiver.Received request : setup.fine.received) {
            received |= request.body.contains(setup.delivered);
        }
        assertTrue(received, "the receiver got it");
    }

    @Test
    public void stateFailingListsOnlyTheRefusedAlert() {
        List<AlertRecord> failing = list(AlertQuery.builder().state(AlertQuery.FAILING));
        assertEquals(Arrays.asList(setup.refused), services(failing));
        assertEquals(setup.failing.getId(), failing.get(0).getId());
        assertEquals(Arrays.asList(setup.delivered), services(list(AlertQuery.builder().state("sent"))));
        assertEquals(Collections.emptyList(), list(AlertQuery.builder().state("cancelled")));
    }

    @Test
    public void newestFirstAndLimitKeepsThatMany() {
        List<AlertRecord> all = client.listAlerts();
        assertEquals(new HashSet<>(Arrays.asList(setup.delivered, setup.refused)), new HashSet<>(services(all)));
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).getId() > all.get(i).getId(), "newest first: " + all);
        }
        assertEquals(all, client.listAlerts(AlertQuery.all()));
        List<AlertRecord> one = list(AlertQuery.builder().limit(1));
        assertEquals(1, one.size());
        assertEquals(all.get(0).getId(), one.get(0).getId());
        assertEquals(Arrays.asList(setup.refused),
                services(list(AlertQuery.builder().service(setup.refused).state("pending").limit(10))));
        assertThrows(UnsupportedOperationException.class, () -> all.clear());
    }

    @Test
    public void invalidParametersAreInvalidRequestsNamingThem() {
        Object[][] cases = {
            {AlertQuery.builder().state("lost"), "state"},
            {AlertQuery.builder().state("Pending"), "state"},
            {AlertQuery.builder().limit(0), "limit"},
            {AlertQuery.builder().limit(1001), "limit"},
        };
        for (Object[] c : cases) {
            final AlertQuery.Builder query = (AlertQuery.Builder) c[0];
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> list(query));
            assertEquals(400, e.getStatus());
            assertEquals(c[1], e.getField(), e.getServerMessage());
        }
    }

    @Test
    public void keyWithAPrefixSeesOnlyItsServicesAlerts() {
        CreatedKey key = client.createKey(Fixtures.uniqueName("history-reader"), "read", setup.prefix + "a-", null);
        WatchtowerClient reader = setup.server.builder().password(key.getSecret()).build();
        assertEquals(Arrays.asList(setup.delivered), services(reader.listAlerts()));
        assertEquals(Collections.emptyList(), reader.listAlerts(AlertQuery.builder().state(AlertQuery.FAILING).build()));
        ForbiddenException e = assertThrows(ForbiddenException.class,
                () -> reader.listAlerts(AlertQuery.builder().service(setup.refused).build()));
        assertEquals(403, e.getStatus());
    }

    @Test
    public void ingestKeyMayNotListAlerts() {
        CreatedKey key = client.createKey(Fixtures.uniqueName("history-ingester"), "ingest");
        WatchtowerClient ingester = setup.server.builder().password(key.getSecret()).build();
        ForbiddenException e = assertThrows(ForbiddenException.class, () -> ingester.listAlerts());
        assertEquals(403, e.getStatus());
    }
}
