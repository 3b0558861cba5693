package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertNull;
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
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the real server cannot be made to do on demand (a 503, a proxy's HTML error, a silent
 * peer) and what it does not show (the request as sent), against stubs.
 */
public final class StubServerTest {
    /** A request as the stub received it. */
    private static final class Seen {
        final String method;
        final String path;
        final String password;
        final String contentType;
        final String contentLength;
        final String userAgent;
        final String body;

        Seen(HttpExchange exchange, String body) {
            this.method = exchange.getRequestMethod();
            this.path = exchange.getRequestURI().toString();
            this.password = exchange.getRequestHeaders().getFirst("password");
            this.contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            this.contentLength = exchange.getRequestHeaders().getFirst("Content-Length");
            this.userAgent = exchange.getRequestHeaders().getFirst("User-Agent");
            this.body = body;
        }
    }

    /** Serves {@code status} and {@code body} to every request, recording them. */
    private static HttpServer stub(final int status, final String contentType, final String body, final List<Seen> seen)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", new HttpHandler() {
            @Override
            public void handle(HttpExchange exchange) throws IOException {
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                try (InputStream in = exchange.getRequestBody()) {
                    byte[] buffer = new byte[4096];
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        received.write(buffer, 0, n);
                    }
                }
                seen.add(new Seen(exchange, new String(received.toByteArray(), StandardCharsets.UTF_8)));
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", contentType);
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
        return server;
    }

    private static WatchtowerClient clientOf(HttpServer server, String path) {
        return WatchtowerClient.builder()
                .url("http://127.0.0.1:" + server.getAddress().getPort() + path)
                .password("secret")
                .build();
    }

    @Test
    public void sendsPasswordJsonAndDeleteBody() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        String service = "{\"service\":\"a b\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60.0,"
                + "\"lastPulse\":\"2026-11-25T06:12:32.660Z\",\"deadline\":\"2026-11-25T06:13:32.660Z\",\"status\":\"up\"}";
        HttpServer server = stub(200, "application/json", service, seen);
        try {
            WatchtowerClient client = clientOf(server, "/prefix");
            Service cancelled = client.cancel("a b");
            assertEquals("a b", cancelled.getName());
            Seen request = seen.get(0);
            assertEquals("DELETE", request.method);
            assertEquals("/prefix/", request.path);
            assertEquals("secret", request.password);
            assertEquals("application/json; charset=utf-8", request.contentType);
            assertEquals("{\"service\":\"a b\"}", request.body, "the DELETE carries its body");
            assertContains(request.userAgent, "watchtower-java/");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void status503IsServerUnavailable() throws Exception {
        HttpServer server = stub(503, "application/json", "{\"error\": \"storage is unavailable, try again later\"}",
                new CopyOnWriteArrayList<Seen>());
        try {
            ServerUnavailableException e = assertThrows(ServerUnavailableException.class, () -> clientOf(server, "").listServices());
            assertEquals(503, e.getStatus());
            assertEquals("storage is unavailable, try again later", e.getServerMessage());
            assertFalse(e.isTimeout(), "not a timeout");
            assertContains(e.getMessage(), "503");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void htmlErrorPageIsQuoted() throws Exception {
        HttpServer server = stub(502, "text/html", "<html><body>Bad Gateway</body></html>", new CopyOnWriteArrayList<Seen>());
        try {
            ServerUnavailableException e = assertThrows(ServerUnavailableException.class, () -> clientOf(server, "").listServices());
            assertEquals(502, e.getStatus());
            assertNull(e.getServerMessage(), "no JSON error");
            assertContains(e.getMessage(), "Bad Gateway");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void otherStatusesAreWatchtowerExceptions() throws Exception {
        HttpServer server = stub(413, "application/json", "{\"error\":\"request body is larger than 1048576 bytes\"}",
                new CopyOnWriteArrayList<Seen>());
        try {
            WatchtowerException e = assertThrows(WatchtowerException.class,
                    () -> clientOf(server, "").addEvent("a", Level.INFO, "x"));
            assertEquals(WatchtowerException.class, e.getClass());
            assertEquals(413, e.getStatus());
            assertEquals("request body is larger than 1048576 bytes", e.getServerMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void status403IsForbidden() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        String error = "scope: key `x` has scope `read`; POST / needs ingest, write or admin";
        HttpServer server = stub(403, "application/json", "{\"error\": \"" + error + "\"}", seen);
        try {
            ForbiddenException e = assertThrows(ForbiddenException.class,
                    () -> clientOf(server, "").pulse("a", Duration.ofSeconds(60), AlertType.WEBHOOK, "ops"));
            assertEquals(403, e.getStatus());
            assertEquals(error, e.getServerMessage());
            assertContains(e.getMessage(), "403");
            // Written in streaming mode, and still the server's message, sent once.
            seen.clear();
            assertEquals(error, assertThrows(ForbiddenException.class,
                    () -> clientOf(server, "").addEvent("a", Level.INFO, "x")).getServerMessage());
            assertEquals(1, seen.size(), "sent once");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void keyRequestsAsSent() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        String key = "{\"name\":\"a b\",\"scope\":\"ingest\",\"prefix\":null,\"created\":\"2026-11-25T06:12:32.660Z\","
                + "\"expires\":null,\"revoked\":null,\"lastUsed\":null,\"secret\":\"wtk_s3cr3t\"}";
        HttpServer server = stub(201, "application/json", key, seen);
        try {
            WatchtowerClient client = clientOf(server, "/prefix");
            CreatedKey created = client.createKey("ci", "ingest");
            assertEquals("wtk_s3cr3t", created.getSecret());
            assertEquals("ingest", created.getKey().getScope());
            assertEquals(java.time.Instant.parse("2026-11-25T06:12:32.660Z"), created.getKey().getCreated());
            assertEquals("POST", seen.get(0).method);
            assertEquals("/prefix/keys", seen.get(0).path);
            assertEquals("{\"name\":\"ci\",\"scope\":\"ingest\"}", seen.get(0).body, "absent optional fields are left out");
            client.createKey("ci", "write", "team-a-", "90d");
            assertEquals("{\"name\":\"ci\",\"scope\":\"write\",\"prefix\":\"team-a-\",\"expiresIn\":\"90d\"}", seen.get(1).body);
            client.revokeKey("a b/c");
            assertEquals("DELETE", seen.get(2).method);
            assertEquals("/prefix/keys/a%20b%2Fc", seen.get(2).path, "the name is one encoded path segment");
            // The stub answers an object where the list wants an array.
            assertContains(assertThrows(WatchtowerException.class, client::listKeys).getMessage(), "unexpected answer");
            assertEquals("GET", seen.get(3).method);
            assertEquals("/prefix/keys", seen.get(3).path);
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void pauseAndResumeAsSent() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        String service = "{\"service\":\"a b/c?d#e\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60,"
                + "\"lastPulse\":\"2026-11-25T06:12:32.660Z\",\"deadline\":\"2026-11-25T06:13:32.660Z\",\"status\":\"paused\"}";
        HttpServer server = stub(200, "application/json", service, seen);
        try {
            WatchtowerClient client = clientOf(server, "/prefix");
            Service paused = client.pause("a b/c?d#e");
            assertEquals("a b/c?d#e", paused.getName());
            assertEquals(ServiceStatus.PAUSED, paused.getStatus());
            client.resume("a b/c?d#e");
            client.pause("é ✓");
            assertEquals(3, seen.size(), "one request each");
            assertEquals("/prefix/services/a%20b%2Fc%3Fd%23e/pause", seen.get(0).path, "the name is one encoded path segment");
            assertEquals("/prefix/services/a%20b%2Fc%3Fd%23e/resume", seen.get(1).path);
            assertEquals("/prefix/services/%C3%A9%20%E2%9C%93/pause", seen.get(2).path, "UTF-8, percent-encoded");
            for (Seen request : seen) {
                assertEquals("POST", request.method);
                assertEquals("", request.body, "no body");
                assertEquals("0", request.contentLength, "a POST says its empty body's length");
                assertEquals("secret", request.password);
            }
            assertThrows(IllegalArgumentException.class, () -> client.pause(""));
            assertEquals(3, seen.size(), "an empty name sends nothing");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void runRequestsAsSent() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        String service = "{\"service\":\"a b/c\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60,"
                + "\"lastPulse\":\"2026-11-25T06:12:32.660Z\",\"deadline\":\"2026-11-25T06:13:32.660Z\",\"status\":\"up\","
                + "\"runningSince\":\"2026-11-25T06:12:32.660Z\"}";
        HttpServer server = stub(200, "application/json", service, seen);
        try {
            WatchtowerClient client = clientOf(server, "/prefix");
            assertEquals(java.util.Optional.of(java.time.Instant.parse("2026-11-25T06:12:32.660Z")),
                    client.start("a b/c").getRunningSince());
            client.start(Pulse.of("a b/c", Duration.ofMinutes(1), AlertType.WEBHOOK, "ops"));
            client.fail("a b/c");
            client.fail("a b/c", "exit 3");
            assertEquals(4, seen.size(), "one request each");
            for (Seen request : seen) {
                assertEquals("POST", request.method);
                assertEquals("secret", request.password);
            }
            assertEquals("/prefix/services/a%20b%2Fc/start", seen.get(0).path, "the name is one encoded path segment");
            assertEquals("", seen.get(0).body, "no body: the service's own settings");
            assertEquals("0", seen.get(0).contentLength);
            assertEquals("/prefix/services/a%20b%2Fc/start", seen.get(1).path);
            assertEquals("{\"service\":\"a b/c\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60}",
                    seen.get(1).body, "the pulse's settings");
            assertEquals("application/json; charset=utf-8", seen.get(1).contentType);
            assertEquals("/prefix/services/a%20b%2Fc/fail", seen.get(2).path);
            assertEquals("", seen.get(2).body, "no message, no body");
            assertEquals("0", seen.get(2).contentLength, "a POST says its empty body's length, streamed too");
            assertEquals("/prefix/services/a%20b%2Fc/fail", seen.get(3).path);
            assertEquals("{\"message\":\"exit 3\"}", seen.get(3).body);
            assertThrows(IllegalArgumentException.class, () -> client.fail(""));
            assertEquals(4, seen.size(), "an empty name sends nothing");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void pingsRequestsAsSent() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        String pings = "[{\"date\":\"2026-11-25T06:12:32.660Z\",\"kind\":\"pulse\",\"source\":\"api\"}]";
        HttpServer server = stub(200, "application/json", pings, seen);
        try {
            WatchtowerClient client = clientOf(server, "/prefix");
            List<Ping> all = client.pings("é ✓");
            assertEquals(1, all.size());
            assertEquals("pulse", all.get(0).getKind());
            client.pings("a?b", 5);
            assertEquals("GET", seen.get(0).method);
            assertEquals("/prefix/services/%C3%A9%20%E2%9C%93/pings", seen.get(0).path, "no limit: all that are kept");
            assertEquals("/prefix/services/a%3Fb/pings?limit=5", seen.get(1).path);
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void malformedAnswerIsAWatchtowerException() throws Exception {
        HttpServer server = stub(200, "application/json", "[{\"service\": 1", new CopyOnWriteArrayList<Seen>());
        try {
            WatchtowerException e = assertThrows(WatchtowerException.class, () -> clientOf(server, "").listServices());
            assertContains(e.getMessage(), "unexpected answer");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void silentServerTimesOut() throws Exception {
        // Accepts the connection (the kernel does, from the backlog) but never answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            WatchtowerClient client = WatchtowerClient.builder()
                    .url("http://127.0.0.1:" + silent.getLocalPort())
                    .password("secret")
                    .readTimeout(Duration.ofMillis(200))
                    .build();
            ServerUnavailableException e = assertThrows(ServerUnavailableException.class, client::listServices);
            assertTrue(e.isTimeout(), "a timeout");
            assertEquals(0, e.getStatus());
            assertTrue(e.getCause() instanceof SocketTimeoutException, "caused by " + e.getCause());
        }
    }

    @Test
    public void unreachableServerIsUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } // closed: connections to it are refused
        WatchtowerClient client = WatchtowerClient.builder().url("http://127.0.0.1:" + port).password("secret").build();
        ServerUnavailableException e = assertThrows(ServerUnavailableException.class,
                () -> client.pulse("x", Duration.ofSeconds(60), AlertType.WEBHOOK, "ops"));
        assertEquals(0, e.getStatus());
        assertFalse(e.isTimeout(), "refused, not timed out");
        assertContains(e.getMessage(), "cannot reach");
    }

    @Test
    public void closedConnectionIsUnavailableAndEventsAreNotResent() throws Exception {
        final AtomicInteger connections = new AtomicInteger();
        try (final ServerSocket rude = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                while (true) {
                    try (Socket socket = rude.accept()) {
                        connections.incrementAndGet(); // counted before the client can see the hang-up
                        socket.getInputStream().read(); // a byte of the request, then hang up
                    } catch (IOException closed) {
                        return; // the test is over
                    }
                }
            });
            closer.setDaemon(true);
            closer.start();
            WatchtowerClient client = WatchtowerClient.builder()
                    .url("http://127.0.0.1:" + rude.getLocalPort()).password("secret").build();
            ServerUnavailableException e = assertThrows(ServerUnavailableException.class, client::listServices);
            assertEquals(0, e.getStatus());
            connections.set(0);
            assertThrows(ServerUnavailableException.class, () -> client.addEvent("a", Level.INFO, "once"));
            assertEquals(1, connections.get(), "an event is sent once, never re-sent by HttpURLConnection");
            connections.set(0);
            assertThrows(ServerUnavailableException.class, () -> client.cancel("a"));
            assertEquals(1, connections.get(), "a cancel is sent once");
            connections.set(0);
            assertThrows(ServerUnavailableException.class, () -> client.fail("a", "exit 1"));
            assertEquals(1, connections.get(), "a failure is sent once");
            connections.set(0);
            assertThrows(ServerUnavailableException.class, () -> client.fail("a"));
            assertEquals(1, connections.get(), "a failure without a message too");
        }
    }

    @Test
    public void unauthorizedEventKeepsTheServersMessage() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer server = stub(401, "application/json", "{\"error\":\"missing or wrong `password` header\"}", seen);
        try {
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> clientOf(server, "").addEvent("a", Level.INFO, "x"));
            assertEquals("missing or wrong `password` header", e.getServerMessage());
            assertTrue(seen.size() <= 2, "asked again at most once: " + seen.size());
            for (Seen request : seen) {
                assertEquals("{\"service\":\"a\",\"level\":\"info\",\"message\":\"x\"}", request.body);
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void serviceListRequestsAsSent() throws Exception {
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        final byte[] page = ("[{\"service\":\"a b/c\",\"alertType\":\"webhook\",\"alertTarget\":\"ops\",\"nextIn\":60,"
                + "\"lastPulse\":\"2026-11-25T06:12:32.660Z\",\"deadline\":\"2026-11-25T06:13:32.660Z\",\"status\":\"dead\"}]")
                .getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", new HttpHandler() {
            @Override
            public void handle(HttpExchange exchange) throws IOException {
                seen.add(new Seen(exchange, ""));
                String query = exchange.getRequestURI().getRawQuery();
                if (query != null && query.contains("limit=") && !query.contains("cursor=")) {
                    // As the server writes it: the request's parameters, and the cursor, form-encoded.
                    exchange.getResponseHeaders().add("Link",
                            "</?prefix=a+b&status=up%2Cdead&limit=1&cursor=a+b%2Fc>; rel=\"next\"");
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, page.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
            }
        });
        server.start();
        try {
            WatchtowerClient client = clientOf(server, "/prefix");
            ServiceQuery query = ServiceQuery.builder().prefix("a b").statuses(ServiceStatus.DEAD, ServiceStatus.UP).limit(1).build();
            ServicePage first = client.listServicesPage(query);
            assertEquals("a b/c", first.getServices().get(0).getName());
            assertEquals(ServiceStatus.DEAD, first.getServices().get(0).getStatus());
            assertEquals("a b/c", first.getNextCursor().get(), "the cursor, decoded from the Link header");
            ServicePage second = client.listServicesPage(first.nextQuery().get());
            assertFalse(second.hasNext(), "no Link, no next page");
            assertEquals(1, client.listServices(ServiceQuery.builder().statuses(ServiceStatus.LATE).build()).size());
            client.listServices();
            assertEquals(4, seen.size(), "one request each");
            for (Seen request : seen) {
                assertEquals("GET", request.method);
                assertEquals("secret", request.password);
            }
            assertEquals("/prefix/?prefix=a+b&status=up%2Cdead&limit=1", seen.get(0).path,
                    "the filters encoded, the statuses in their declared order");
            assertEquals("/prefix/?prefix=a+b&status=up%2Cdead&limit=1&cursor=a+b%2Fc", seen.get(1).path,
                    "the next page: the same filters and the cursor, encoded again");
            assertEquals("/prefix/?status=late", seen.get(2).path, "without a limit, no paging parameter");
            assertEquals("/prefix/", seen.get(3).path, "listServices() sends no parameter");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void rejectedServiceFilterIsAnInvalidRequest() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer server = stub(400, "application/json",
                "{\"error\":\"status: `bogus` is not a status (up, late, dead, paused or new, comma-separated)\"}", seen);
        try {
            final WatchtowerClient client = clientOf(server, "");
            final ServiceQuery query = ServiceQuery.builder().statuses(ServiceStatus.DEAD).build();
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> client.listServices(query));
            assertEquals(400, e.getStatus());
            assertEquals("status", e.getField());
            assertEquals("`bogus` is not a status (up, late, dead, paused or new, comma-separated)", e.getProblem());
            assertContains(e.getMessage(), e.getServerMessage());
            assertEquals("status", assertThrows(InvalidRequestException.class,
                    () -> client.listServicesPage(query.toBuilder().limit(5).build())).getField());
            assertEquals("status", assertThrows(InvalidRequestException.class,
                    () -> client.services(query).iterator().hasNext()).getField());
            assertEquals(3, seen.size(), "each sent once");
        } finally {
            server.stop(0);
        }
    }
}
