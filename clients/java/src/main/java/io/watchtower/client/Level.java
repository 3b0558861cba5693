package io.watchtower.client;

import java.util.Locale;

/**
 * An event's level, in increasing order of severity: a filter on a level
 * ({@link EventQuery.Builder#minLevel(Level)}) matches that level and every level above it.
 */
public enum Level {
    /** Detail for debugging. */
    DEBUG,
    /** Normal operation. */
    INFO,
    /** Something to look at. */
    WARNING,
    /** Something failed. */
    ERROR,
    /** Something failed badly. */
    CRITICAL;

    /** The name the protocol uses: {@code "debug"}, {@code "info"}, {@code "warning"}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The level named {@code name}, in any case; {@code "warn"} is {@link #WARNING}, as on the server.
     *
     * @throws IllegalArgumentException if {@code name} names no level
     */
    public static Level parse(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("warn")) {
            return WARNING;
        }
        for (Level level : values()) {
            if (level.wireName().equals(lower)) {
                return level;
            }
        }
        throw new IllegalArgumentException("`" + name + "` is not one of debug, info, warning, error, critical");
    }
}
