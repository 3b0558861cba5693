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
    WEBHOOK,
    /** To a Slack incoming webhook; the target is its name in the server's config. */
    SLACK,
    /** To a Microsoft Teams incoming webhook; the target is its name in the server's config. */
    TEAMS,
    /** To a Discord webhook; the target is its name in the server's config. */
    DISCORD,
    /** By a Telegram bot; the target is a chat id or {@code @channel}. */
    TELEGRAM,
    /** To an ntfy topic; the target is the topic. */
    NTFY,
    /** To a Gotify application; the target is its name in the server's config. */
    GOTIFY,
    /** To a Matrix room; the target is the room id ({@code !abc:example.org}). */
    MATRIX,
    /** As a PagerDuty incident (resolved on recovery); the target names a service key in the config. */
    PAGERDUTY,
    /** As an Opsgenie alert (closed on recovery); the target names an API key in the config. */
    OPSGENIE,
    /** By running a command configured on the server; the target is its name. */
    EXEC,
    /** To every channel of a route configured on the server; the target is the route's name. */
    ROUTE;

    /** The name the protocol uses: {@code "mail"}, {@code "slack"}, {@code "pagerduty"}… */
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
        StringBuilder known = new StringBuilder();
        for (AlertType type : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(type.wireName());
        }
        throw new IllegalArgumentException("`" + name + "` is not one of " + known);
    }
}
