package io.watchtower.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server can alert: its configured channels with the targets each takes, its routes and
 * its ping keys, by name; the answer to {@link WatchtowerClient#channels()}. Never a URL, a token,
 * a password or a key. Immutable.
 */
public final class Channels {
    private final List<Channel> channels;
    private final List<Route> routes;
    private final List<PingKey> pingKeys;

    private Channels(Json.Fields f) {
        List<Channel> channelList = new ArrayList<>();
        for (Object item : f.array("channels")) {
            channelList.add(Channel.fromJson(item));
        }
        List<Route> routeList = new ArrayList<>();
        for (Object item : f.array("routes")) {
            routeList.add(Route.fromJson(item));
        }
        List<PingKey> keyList = new ArrayList<>();
        for (Object item : f.array("pingKeys")) {
            keyList.add(PingKey.fromJson(item));
        }
        this.channels = Collections.unmodifiableList(channelList);
        this.routes = Collections.unmodifiableList(routeList);
        this.pingKeys = Collections.unmodifiableList(keyList);
    }

    static Channels fromJson(Object json) {
        return new Channels(Json.Fields.of(json, "channels"));
    }

    /**
     * The alert types a pulse may name on this server, each with what it takes as
     * {@code alertTarget}; {@code "route"} among them when routes are configured. In the server's
     * order; unmodifiable.
     */
    public List<Channel> getChannels() {
        return channels;
    }

    /** The channel whose alert type is {@code alertType} ({@code "webhook"}, …), if it is configured. */
    public Optional<Channel> getChannel(String alertType) {
        Objects.requireNonNull(alertType, "alertType");
        for (Channel channel : channels) {
            if (channel.getAlertType().equals(alertType)) {
                return Optional.of(channel);
            }
        }
        return Optional.empty();
    }

    /** The configured routes, with their steps. Unmodifiable. */
    public List<Route> getRoutes() {
        return routes;
    }

    /** The configured ping keys, by name, with what they may ping; never the keys. Unmodifiable. */
    public List<PingKey> getPingKeys() {
        return pingKeys;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Channels)) {
            return false;
        }
        Channels that = (Channels) o;
        return channels.equals(that.channels) && routes.equals(that.routes) && pingKeys.equals(that.pingKeys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channels, routes, pingKeys);
    }

    @Override
    public String toString() {
        return "Channels{channels=" + channels + ", routes=" + routes + ", pingKeys=" + pingKeys + "}";
    }
}
