package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test alerts against the real server, whose webhooks point at small HTTP receivers started here:
 * one takes every alert, the other answers 503 to every alert.
 */
public final class AlertTest {
    /** A webhook receiver on a free port of the loopback address: records every request, answers {@code status}. */
    static final class Receiver implements AutoCloseable {
        /** A request as the receiver got it. */
        static final class Received {
            final String method;
            final String body;

            Received(String method, String body) {
                this.method = method;
                this.body = body;
            }
        }

        private final HttpServer server;
        final List<Received> received = new CopyOnWriteArrayList<>();

        Receiver(final int status) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", new HttpHandler() {
                @Override
                public void handle(HttpExchange exchange) throws IOException {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    try (InputStream in = exchange.getRequestBody()) {
                        byte[] buffer = new byte[4096];
                        int n;
                        while ((n = in.read(buffer)) != -1) {
                            body.write(buffer, 0, n);
                        }
                    }
                    received.add(new Received(exchange.getRequestMethod(),
                            new String(body.toByteArray(), StandardCharsets.UTF_8)));
                    byte[] answer = (status < 400 ? "{}" : "unavailable").getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, answer.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(answer);
                    }
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /**
     * The receivers and a server whose webhooks {@code hook} and {@code also} reach the one that
     * takes alerts, {@code down} the one that answers 503; the route {@code team} is hook and
     * also, {@code oncall} is hook and down.
     */
    static final class Setup implements AutoCloseable {
        final Receiver hook;
        final Receiver down;
        final WatchtowerServer server;

        private Setup(Receiver hook, Receiver down, WatchtowerServer server) {
            this.hook = hook;
            this.down = down;
            this.server = server;
        }

        static Setup start() throws Exception {
            Receiver hook = new Receiver(200);
            Receiver down = new Receiver(503);
            Map<String, Object> webhooks = new LinkedHashMap<>();
            webhooks.put("hook", url(hook));
            webhooks.put("also", url(hook));
            webhooks.put("down", url(down));
            Map<String, Object> routes = new LinkedHashMap<>();
            routes.put("team", Arrays.asList(webhook("hook"), webhook("also")));
            routes.put("oncall", Arrays.asList(webhook("hook"), webhook("down")));
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("webhooks", webhooks);
            config.put("routes", routes);
            try {
                return new Setup(hook, down, WatchtowerServer.startHttp(config));
            } catch (Exception e) {
                hook.close();
                down.close();
                throw e;
            }
        }

        private static Map<String, Object> url(Receiver receiver) {
            Map<String, Object> webhook = new LinkedHashMap<>();
            webhook.put("url", receiver.url());
            return webhook;
        }

        private static Map<String, Object> webhook(String name) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("alertType", "webhook");
            step.put("alertTarget", name);
            return step;
        }

        @Override
        public void close() throws IOException {
            try {
                server.close();
            } finally {
                hook.close();
                down.close();
            }
        }
    }

    private final Setup setup;
    private final WatchtowerClient client;

    public AlertTest() throws Exception {
        setup = Fixtures.shared("alerts", Setup.class, Setup::start);
        // Each test counts only the requests it caused (the tests run one at a time).
        setup.hook.received.clear();
        setup.down.received.clear();
        client = setup.server.client();
    }

    private static List<String> kinds(Receiver receiver) {
        List<String> kinds = new ArrayList<>();
        for (Receiver.Received request : receiver.received) {
            kinds.add(Json.Fields.of(Json.parse(request.body), "alert").string("kind"));
        }
        return kinds;
    }

    @Test
    public void testAlertReachesTheWebhookOnceAndSaysItIsATest() {
        List<Delivery> delivered = client.testAlert("webhook", "hook");
        assertEquals(Arrays.asList(new Delivery("webhook", "hook")), delivered);
        assertEquals("webhook:hook", delivered.get(0).toString());
        assertEquals(1, setup.hook.received.size(), "the receiver got exactly one request");
        Receiver.Received request = setup.hook.received.get(0);
        assertEquals("POST", request.method);
        Json.Fields alert = Json.Fields.of(Json.parse(request.body), "alert");
        assertEquals("test", alert.string("kind"));
        assertEquals("watchtower", alert.string("service"));
        assertEquals("Watchtower test alert", alert.string("title"));
        assertContains(alert.string("message"), "test alert");
        assertContains(alert.string("message"), "the password asked");
        assertEquals(0, setup.down.received.size());
    }

    @Test
    public void alertTypeMayBeGivenAsAnEnum() {
        assertEquals(Arrays.asList(new Delivery("webhook", "hook")), client.testAlert(AlertType.WEBHOOK, "hook"));
        assertEquals(Arrays.asList("test"), kinds(setup.hook));
    }

    @Test
    public void routeIsTestedChannelByChannel() {
        List<Delivery> delivered = client.testAlert("route", "team");
        assertEquals(Arrays.asList(new Delivery("webhook", "hook"), new Delivery("webhook", "also")), delivered);
        assertEquals(Arrays.asList("test", "test"), kinds(setup.hook));
        assertThrows(UnsupportedOperationException.class, () -> delivered.clear());
    }

    @Test
    public void refusalIsServerUnavailableNamingTheChannelAndIsTriedOnce() {
        ServerUnavailableException e = assertThrows(ServerUnavailableException.class,
                () -> client.testAlert("webhook", "down"));
        assertEquals(502, e.getStatus());
        assertFalse(e.isTimeout(), "not a timeout");
        String message = e.getServerMessage();
        assertTrue(message.startsWith("alertTarget: not delivered: webhook down: "), message);
        assertContains(message, "503");
        assertContains(e.getMessage(), message);
        assertEquals(1, setup.down.received.size(), "neither the client nor the server retries a test alert");
    }

    @Test
    public void routeWithARefusingChannelNamesItAndTheOthersGetIt() {
        ServerUnavailableException e = assertThrows(ServerUnavailableException.class,
                () -> client.testAlert("route", "oncall"));
        assertEquals(502, e.getStatus());
        assertContains(e.getServerMessage(), "webhook down: ");
        assertContains(e.getServerMessage(), "503");
        assertFalse(e.getServerMessage().contains("webhook hook"), e.getServerMessage());
        assertEquals(1, setup.hook.received.size());
        assertEquals(1, setup.down.received.size());
    }

    @Test
    public void targetTheServerCannotAlertIsInvalidNamingTheField() {
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class,
                () -> client.testAlert("webhook", "nowhere"));
        assertEquals(400, unknown.getStatus());
        assertEquals("alertTarget", unknown.getField());
        // No mail channel is configured.
        InvalidRequestException unconfigured = assertThrows(InvalidRequestException.class,
                () -> client.testAlert(AlertType.MAIL, "ops@example.com"));
        assertEquals("alertType", unconfigured.getField());
        assertEquals(0, setup.hook.received.size() + setup.down.received.size());
    }

    @Test
    public void readKeyMayNotSendATestAlert() {
        CreatedKey key = client.createKey(Fixtures.uniqueName("alert-reader"), "read");
        WatchtowerClient reader = setup.server.builder().password(key.getSecret()).build();
        ForbiddenException e = assertThrows(ForbiddenException.class, () -> reader.testAlert("webhook", "hook"));
        assertEquals(403, e.getStatus());
        assertEquals(0, setup.hook.received.size());
        // The server may close a connection once it has refused a request whose body it had not
        // yet read, though its answer kept it alive. HttpURLConnection pools connections for the
        // whole JVM and re-sends a GET, never a test alert, once on a closed one: this GET takes
        // such a connection out of the pool, so that the next test's test alert does not meet it.
        assertEquals("read", reader.whoami().getScope());
    }
}
