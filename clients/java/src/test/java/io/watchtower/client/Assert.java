package io.watchtower.client;

import java.time.Duration;
import java.util.Objects;

/** The assertions the tests use. */
final class Assert {
    private Assert() {}

    static void assertTrue(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    static void assertFalse(boolean condition, String message) {
        assertTrue(!condition, message);
    }

    static void assertEquals(Object expected, Object actual) {
        assertEquals(expected, actual, "");
    }

    static void assertEquals(Object expected, Object actual, String message) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError((message.isEmpty() ? "" : message + ": ") + "expected <" + expected
                    + "> but was <" + actual + ">");
        }
    }

    static void assertNull(Object actual, String message) {
        assertEquals(null, actual, message);
    }

    static void assertContains(String haystack, String needle) {
        if (haystack == null || !haystack.contains(needle)) {
            throw new AssertionError("expected <" + haystack + "> to contain <" + needle + ">");
        }
    }

    /** Something that may throw anything. */
    interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action}, which must throw a {@code type}; returns what it threw. */
    static <T extends Throwable> T assertThrows(Class<T> type, Action action) {
        try {
            action.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            throw new AssertionError("expected " + type.getSimpleName() + " but got " + t, t);
        }
        throw new AssertionError("expected " + type.getSimpleName() + " but nothing was thrown");
    }

    /** A condition polled by {@link #eventually}. */
    interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} every 20 ms until it holds, failing with {@code message} if it still
     * does not after 15 seconds (a bound against hanging, not a performance threshold).
     */
    static void eventually(String message, Condition condition) throws Exception {
        eventually(message, Duration.ofSeconds(15), condition);
    }

    /**
     * Polls {@code condition} every 20 ms until it holds, failing with {@code message} if it still
     * does not after {@code bound} (for what the server promises within a time, e.g. "a revoked
     * key is refused within a second": a generous bound, not a measurement).
     */
    static void eventually(String message, Duration bound, Condition condition) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + message);
            }
            Thread.sleep(20);
        }
    }
}
