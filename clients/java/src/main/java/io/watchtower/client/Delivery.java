package io.watchtower.client;

import java.util.Objects;

/**
 * A channel that took a test alert: one element of the answer to
 * {@link WatchtowerClient#testAlert(String, String)}. Immutable.
 *
 * <p>{@link #toString()} is {@code "alertType:alertTarget"}, e.g. {@code "webhook:ops"}, as the
 * command line writes it.
 */
public final class Delivery {
    private final String alertType;
    private final String alertTarget;

    /**
     * @param alertType the channel's type, e.g. {@code "webhook"}
     * @param alertTarget where the message went, e.g. the webhook's name
     */
    public Delivery(String alertType, String alertTarget) {
        this.alertType = Objects.requireNonNull(alertType, "alertType");
        this.alertTarget = Objects.requireNonNull(alertTarget, "alertTarget");
    }

    static Delivery fromJson(Object json) {
        Json.Fields f = Json.Fields.of(json, "delivered[]");
        return new Delivery(f.string("alertType"), f.string("alertTarget"));
    }

    /**
     * The channel, as the protocol names it: {@code "webhook"}, {@code "mail"}, {@code "slack"}…
     * (never {@code "route"}: a route's channels are listed one by one). A String, so that a
     * channel newer than this library still reads; {@link AlertType#parse(String)} converts it.
     */
    public String getAlertType() {
        return alertType;
    }

    /** Where the message went: an e-mail address, a key, or the name of a configured webhook… */
    public String getAlertTarget() {
        return alertTarget;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Delivery)) {
            return false;
        }
        Delivery that = (Delivery) o;
        return alertType.equals(that.alertType) && alertTarget.equals(that.alertTarget);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertType, alertTarget);
    }

    @Override
    public String toString() {
        return alertType + ":" + alertTarget;
    }
}
