package io.watchtower.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/** Servers shared by the tests of one run, started on first use and stopped by {@link TestRunner}. */
final class Fixtures {
    private static WatchtowerServer http;
    private static WatchtowerServer https;
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final Map<String, AutoCloseable> SHARED = new LinkedHashMap<>();

    private Fixtures() {}

    static synchronized WatchtowerServer http() throws Exception {
        if (http == null) {
            http = WatchtowerServer.startHttp();
        }
        return http;
    }

    static synchronized WatchtowerServer https() throws Exception {
        if (https == null) {
            https = WatchtowerServer.startHttps();
        }
        return https;
    }

    /**
     * The fixture named {@code name} (e.g. a server with a configuration of its own and what it
     * talks to), started by {@code start} on first use and closed by {@link #stopAll()}.
     */
    static synchronized <T extends AutoCloseable> T shared(String name, Class<T> type, Callable<T> start) throws Exception {
        AutoCloseable fixture = SHARED.get(name);
        if (fixture == null) {
            fixture = start.call();
            SHARED.put(name, fixture);
        }
        return type.cast(fixture);
    }

    /** A service name no other test uses, so that tests sharing a server do not see each other. */
    static String uniqueName(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    static synchronized void stopAll() {
        for (WatchtowerServer server : new WatchtowerServer[] {http, https}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    System.err.println("stopping the server failed: " + e);
                }
            }
        }
        for (Map.Entry<String, AutoCloseable> fixture : SHARED.entrySet()) {
            try {
                fixture.getValue().close();
            } catch (Exception e) {
                System.err.println("stopping " + fixture.getKey() + " failed: " + e);
            }
        }
        SHARED.clear();
        http = null;
        https = null;
    }
}
