package io.watchtower.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A ping key the server has configured ({@code pingKeys} in its configuration), by name, with what
 * it may ping: an element of {@link Channels#getPingKeys()}. Never the key itself. Immutable.
 */
public final class PingKey {
    private final String name;
    private final String service;
    private final String prefix;
    private final List<String> services;
    private final String alertType;
    private final String alertTarget;

    private PingKey(Json.Fields f) {
        this.name = f.string("name");
        this.service = f.optionalString("service");
        this.prefix = f.optionalString("prefix");
        this.services = f.strings("services");
        this.alertType = f.optionalString("alertType");
        this.alertTarget = f.optionalString("alertTarget");
    }

    static PingKey fromJson(Object json) {
        return new PingKey(Json.Fields.of(json, "pingKey"));
    }

    /** Its name in the configuration ({@code pingKeys.NAME}). */
    public String getName() {
        return name;
    }

    /** The one service {@code /api/push/<key>} pulses when the URL names none, if it has one. */
    public Optional<String> getService() {
        return Optional.ofNullable(service);
    }

    /**
     * The prefix of the names of the services it may ping, if it is bound to one. A key with
     * neither a prefix nor {@linkplain #getServices() services} may ping any service.
     */
    public Optional<String> getPrefix() {
        return Optional.ofNullable(prefix);
    }

    /** The services it may ping besides those its {@linkplain #getPrefix() prefix} covers. Unmodifiable. */
    public List<String> getServices() {
        return services;
    }

    /**
     * The channel of the alerts of services first seen through it, as the protocol names it
     * ({@code "route"}, {@code "webhook"}…), if it sets one; {@link AlertType#parse(String)}
     * converts it.
     */
    public Optional<String> getAlertType() {
        return Optional.ofNullable(alertType);
    }

    /** Where the alerts of services first seen through it go, if it sets it. */
    public Optional<String> getAlertTarget() {
        return Optional.ofNullable(alertTarget);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PingKey)) {
            return false;
        }
        PingKey that = (PingKey) o;
        return name.equals(that.name) && Objects.equals(service, that.service)
                && Objects.equals(prefix, that.prefix) && services.equals(that.services)
                && Objects.equals(alertType, that.alertType) && Objects.equals(alertTarget, that.alertTarget);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, service, prefix, services, alertType, alertTarget);
    }

    @Override
    public String toString() {
        return "PingKey{name=" + name
                + (service != null ? ", service=" + service : "")
                + (prefix != null ? ", prefix=" + prefix : "")
                + (services.isEmpty() ? "" : ", services=" + services)
                + (alertType != null ? ", alertType=" + alertType : "")
                + (alertTarget != null ? ", alertTarget=" + alertTarget : "") + "}";
    }
}
