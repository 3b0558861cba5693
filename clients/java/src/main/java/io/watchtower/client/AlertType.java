package io.watchtower.client;

import java.util.Locale;

/**
 * How Watchtower alerts a service's owner when the service dies or recovers. The channel must
 * be configured on the server.
 */
public enum AlertType {
    /** By e-mail; the alert target is an e-mail address. */
    MAIL,
    /** By Pushover; the alert target is a 30-character user or group key. */
    PUSHOVER,
    /** By HTTP POST; the alert target is the <em>name</em> of a webhook configured on the server. */
    WEBHOOK;

    /** The name the protocol uses: {@code "mail"}, {@code "pushover"} or {@code "webhook"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The alert type named {@code name}, in any case.
     *
     * @throws IllegalArgumentException if {@code name} names none
     */
    public static AlertType parse(String name) {
        for (AlertType type : values()) {
            if (type.wireName().equalsIgnoreCase(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("`" + name + "` is not one of mail, pushover, webhook");
    }
}
