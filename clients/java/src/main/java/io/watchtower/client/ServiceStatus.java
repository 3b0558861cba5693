package io.watchtower.client;

import java.util.Locale;

/** Where a monitored service stands. */
public enum ServiceStatus {
    /** The service pulsed, and is not yet past the time its next pulse is expected. */
    UP,
    /**
     * The service is past the time its next pulse was expected, but within its
     * {@linkplain Service#getGrace() grace}: shown, not alerted; it dies at its
     * {@linkplain Service#getDeadline() deadline}. The server computes it when listing services
     * ({@link WatchtowerClient#listServices()}), so other answers show such a service as
     * {@link #UP}.
     */
    LATE,
    /** The service missed its deadline; its owner has been alerted. */
    DEAD,
    /**
     * The service is {@linkplain WatchtowerClient#pause(String) paused}: it neither dies nor
     * alerts until it pulses or is {@linkplain WatchtowerClient#resume(String) resumed}.
     */
    PAUSED,
    /**
     * The service has been {@linkplain WatchtowerClient#declare(Pulse) declared}, and has never
     * pulsed; it dies if its first pulse is not in by its deadline.
     */
    NEW,
    /** A status this version of the client does not know (sent by a newer server). */
    UNKNOWN;

    /** The protocol's name ({@code "up"}, …); {@link #UNKNOWN} has none, and is never sent. */
    String wireName() {
        if (this == UNKNOWN) {
            throw new IllegalStateException("UNKNOWN has no wire name");
        }
        return name().toLowerCase(Locale.ROOT);
    }

    static ServiceStatus parse(String name) {
        if (name == null) {
            return UNKNOWN;
        }
        switch (name) {
            case "up":
                return UP;
            case "late":
                return LATE;
            case "dead":
                return DEAD;
            case "paused":
                return PAUSED;
            case "new":
                return NEW;
            default:
                return UNKNOWN;
        }
    }
}
