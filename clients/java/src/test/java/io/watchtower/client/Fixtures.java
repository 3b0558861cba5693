package io.watchtower.client;

import java.util.concurrent.atomic.AtomicInteger;

/** Servers shared by the tests of one run, started on first use and stopped by {@link TestRunner}. */
final class Fixtures {
    private static WatchtowerServer http;
    private static WatchtowerServer https;
    private static final AtomicInteger NAMES = new AtomicInteger();

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
        http = null;
        https = null;
    }
}
