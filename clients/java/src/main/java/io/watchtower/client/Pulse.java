package io.watchtower.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A pulse: "service {@code name} is alive and will pulse again within {@code nextIn}; if it
 * does not, alert {@code alertTarget} by {@code alertType}". Immutable; build one with
 * {@link #builder(String)} or {@link #of(String, Duration, AlertType, String)}.
 *
 * <pre>{@code
 * Pulse pulse = Pulse.builder("backup")
 *         .nextIn(Duration.ofHours(25))
 *         .alert(AlertType.MAIL, "ops@example.com")
 *         .remindEvery(Duration.ofHours(6))   // optional
 *         .dependsOn("database")              // optional
 *         .build();
 * client.pulse(pulse);
 * }</pre>
 *
 * <p>The values are checked by the server, which names the field it rejects in an
 * {@link InvalidRequestException}; {@code nextIn} must be at least 0.1 seconds (100 ms) and at
 * most a year.
 */
public final class Pulse {
    private final String service;
    private final Duration nextIn;
    private final AlertType alertType;
    private final String alertTarget;
    private final Duration remindEvery;
    private final String dependsOn;

    private Pulse(Builder b) {
        this.service = Objects.requireNonNull(b.service, "service");
        this.nextIn = Objects.requireNonNull(b.nextIn, "nextIn");
        this.alertType = Objects.requireNonNull(b.alertType, "alertType");
        this.alertTarget = Objects.requireNonNull(b.alertTarget, "alertTarget");
        this.remindEvery = b.remindEvery;
        this.dependsOn = b.dependsOn;
    }

    /** A pulse with the four required fields. */
    public static Pulse of(String service, Duration nextIn, AlertType alertType, String alertTarget) {
        return builder(service).nextIn(nextIn).alert(alertType, alertTarget).build();
    }

    /** Starts building a pulse for {@code service}. */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /** The service's name. */
    public String getService() {
        return service;
    }

    /** How long until the next pulse is due. */
    public Duration getNextIn() {
        return nextIn;
    }

    /** The alert channel. */
    public AlertType getAlertType() {
        return alertType;
    }

    /** The alert's recipient, or the name of a configured webhook. */
    public String getAlertTarget() {
        return alertTarget;
    }

    /** The time between reminders while dead, or {@code null} for the server's default. */
    public Duration getRemindEvery() {
        return remindEvery;
    }

    /** The service this one depends on, or {@code null}. */
    public String getDependsOn() {
        return dependsOn;
    }

    Map<String, Object> toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", service);
        body.put("alertType", alertType.wireName());
        body.put("alertTarget", alertTarget);
        body.put("nextIn", Wire.seconds(nextIn));
        if (remindEvery != null) {
            body.put("remindEvery", Wire.seconds(remindEvery));
        }
        if (dependsOn != null) {
            body.put("dependsOn", dependsOn);
        }
        return body;
    }

    @Override
    public String toString() {
        return "Pulse" + Json.write(toJson());
    }

    /** Builds a {@link Pulse}; {@code nextIn} and {@code alert} are required. */
    public static final class Builder {
        private final String service;
        private Duration nextIn;
        private AlertType alertType;
        private String alertTarget;
        private Duration remindEvery;
        private String dependsOn;

        private Builder(String service) {
            this.service = Objects.requireNonNull(service, "service");
        }

        /** When the next pulse is due at the latest (fractions of a second allowed). */
        public Builder nextIn(Duration nextIn) {
            this.nextIn = Objects.requireNonNull(nextIn, "nextIn");
            return this;
        }

        /** Whom to alert, and how, when the service dies or recovers. */
        public Builder alert(AlertType alertType, String alertTarget) {
            this.alertType = Objects.requireNonNull(alertType, "alertType");
            this.alertTarget = Objects.requireNonNull(alertTarget, "alertTarget");
            return this;
        }

        /**
         * Time between reminders while the service stays dead; {@link Duration#ZERO} for none;
         * {@code null} (the default) for the server's default.
         */
        public Builder remindEvery(Duration remindEvery) {
            this.remindEvery = remindEvery;
            return this;
        }

        /**
         * The service this one depends on: while that one is dead, this one's death is folded
         * into its alert. {@code null} (the default) for none.
         */
        public Builder dependsOn(String dependsOn) {
            this.dependsOn = dependsOn;
            return this;
        }

        /**
         * The pulse.
         *
         * @throws NullPointerException if {@code nextIn} or {@code alert} was not given
         */
        public Pulse build() {
            return new Pulse(this);
        }
    }
}
