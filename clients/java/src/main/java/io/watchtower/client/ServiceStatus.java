package io.watchtower.client;

/** Whether a monitored service is alive. */
public enum ServiceStatus {
    /** The service pulsed before its deadline. */
    UP,
    /** The service missed its deadline; its owner has been alerted. */
    DEAD,
    /** A status this version of the client does not know (sent by a newer server). */
    UNKNOWN;

    static ServiceStatus parse(String name) {
        if ("up".equals(name)) {
            return UP;
        }
        if ("dead".equals(name)) {
            return DEAD;
        }
        return UNKNOWN;
    }
}
