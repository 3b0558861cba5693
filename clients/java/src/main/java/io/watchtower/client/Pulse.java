package io.watchtower.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A pulse: "service {@code name} is alive and will pulse again within {@code nextIn}; if it
 * does not, alert {@code alertTarget} by {@code alertType}". Immutable; build one with
 * {@link #builder(String)}, {@link #of(String, Duration, AlertType, String)} or
 * {@link #scheduled(String, String, AlertType, String)}.
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
 * <p>Instead of {@code nextIn}, a pulse may give a cron {@code schedule}: the service is due at the
 * schedule's next time after the pulse, in the time zone {@code tz} (the server's default: UTC).
 * Either kind may add a {@code grace}: the service is declared dead only at the due time plus
 * the grace.
 *
 * <pre>{@code
 * Pulse report = Pulse.builder("report")
 *         .schedule("0 9 * * MON-FRI")             // or "@hourly", "@daily", …
 *         .tz("Europe/Berlin")                     // optional, default UTC
 *         .grace(Duration.ofMinutes(15))           // optional, also with nextIn
 *         .alert(AlertType.MAIL, "ops@example.com")
 *         .build();
 * }</pre>
 *
 * <p>A pulse has exactly one of {@code nextIn} and {@code schedule}, and a {@code tz} only with a
 * schedule: {@link Builder#build()} checks that. The values themselves are checked by the server,
 * which names the field it rejects in an {@link InvalidRequestException}; {@code nextIn} must be
 * at least 0.1 seconds (100 ms) and at most a year, {@code grace} at least 0 and at most a year,
 * {@code schedule} a five-field cron expression that comes again ({@code "0 0 30 2 *"} is refused
 * with status 422), and {@code tz} an IANA time zone name.
 */
public final class Pulse {
    private final String service;
    private final Duration nextIn;
    private final String schedule;
    private final String tz;
    private final Duration grace;
    private final AlertType alertType;
    private final String alertTarget;
    private final Duration remindEvery;
    private final String dependsOn;

    private Pulse(Builder b) {
        this.service = Objects.requireNonNull(b.service, "service");
        if (b.nextIn == null && b.schedule == null) {
            throw new IllegalStateException("a pulse needs nextIn or schedule");
        }
        if (b.nextIn != null && b.schedule != null) {
            throw new IllegalStateException("a pulse has either nextIn or schedule, not both");
        }
        if (b.tz != null && b.schedule == null) {
            throw new IllegalStateException("tz is the time zone of a schedule: give it only with schedule, not nextIn");
        }
        this.nextIn = b.nextIn;
        this.schedule = b.schedule;
        this.tz = b.tz;
        this.grace = b.grace;
        this.alertType = Objects.requireNonNull(b.alertType, "alertType");
        this.alertTarget = Objects.requireNonNull(b.alertTarget, "alertTarget");
        this.remindEvery = b.remindEvery;
        this.dependsOn = b.dependsOn;
    }

    /** A pulse with the four required fields. */
    public static Pulse of(String service, Duration nextIn, AlertType alertType, String alertTarget) {
        return builder(service).nextIn(nextIn).alert(alertType, alertTarget).build();
    }

    /**
     * A pulse due at the next time of the cron expression {@code schedule} (in UTC, unless
     * {@link Builder#tz(String)} says otherwise), with the other required fields. For a time zone
     * or a grace, use {@link #builder(String)}.
     *
     * @param schedule five fields (minute hour day-of-month month day-of-week, e.g.
     *     {@code "0 9 * * 1-5"} or {@code "0 9 * * MON-FRI"}) or {@code @hourly}, {@code @daily},
     *     {@code @weekly}, {@code @monthly}, {@code @yearly}, {@code @annually}
     */
    public static Pulse scheduled(String service, String schedule, AlertType alertType, String alertTarget) {
        return builder(service).schedule(schedule).alert(alertType, alertTarget).build();
    }

    /** Starts building a pulse for {@code service}. */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /** The service's name. */
    public String getService() {
        return service;
    }

    /** How long until the next pulse is due, or {@code null} for a {@linkplain #isScheduled() scheduled} pulse. */
    public Duration getNextIn() {
        return nextIn;
    }

    /** Whether the pulse gives a cron {@link #getSchedule() schedule} rather than a {@code nextIn}. */
    public boolean isScheduled() {
        return schedule != null;
    }

    /** The cron expression of the next pulse's time, or {@code null} for a pulse with {@code nextIn}. */
    public String getSchedule() {
        return schedule;
    }

    /** The schedule's time zone, or {@code null} for the server's default (UTC). */
    public String getTz() {
        return tz;
    }

    /** How long after its due time the service is declared dead, or {@code null} for none. */
    public Duration getGrace() {
        return grace;
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
        if (nextIn != null) {
            body.put("nextIn", Wire.seconds(nextIn));
        }
        if (schedule != null) {
            body.put("schedule", schedule);
        }
        if (tz != null) {
            body.put("tz", tz);
        }
        if (grace != null) {
            body.put("grace", Wire.seconds(grace));
        }
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

    /**
     * Builds a {@link Pulse}; {@code alert} and one of {@code nextIn} and {@code schedule} are
     * required.
     */
    public static final class Builder {
        private final String service;
        private Duration nextIn;
        private String schedule;
        private String tz;
        private Duration grace;
        private AlertType alertType;
        private String alertTarget;
        private Duration remindEvery;
        private String dependsOn;

        private Builder(String service) {
            this.service = Objects.requireNonNull(service, "service");
        }

        /**
         * When the next pulse is due at the latest (fractions of a second allowed). Not with
         * {@link #schedule(String)}.
         */
        public Builder nextIn(Duration nextIn) {
            this.nextIn = Objects.requireNonNull(nextIn, "nextIn");
            return this;
        }

        /**
         * When the next pulse is due: the next time of this cron expression after the pulse. Five
         * fields (minute hour day-of-month month day-of-week), with ranges, lists, steps and
         * names ({@code "0 9 * * 1-5"}, {@code "0-59/15 * * * *"}, {@code "0 0 1 JAN,JUL *"},
         * {@code "0 9 * * MON-FRI"}), or {@code @hourly}, {@code @daily}, {@code @weekly},
         * {@code @monthly}, {@code @yearly} or {@code @annually}. Not with {@link #nextIn(Duration)}.
         * The server checks the expression.
         */
        public Builder schedule(String schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /**
         * The IANA time zone the {@link #schedule(String) schedule} is read in, e.g.
         * {@code "Europe/Berlin"}; only with a schedule. {@code null} (the default) for the
         * server's default, UTC.
         */
        public Builder tz(String tz) {
            this.tz = tz;
            return this;
        }

        /**
         * How long after the due time (of {@code nextIn} or of the schedule) the service is
         * declared dead: at least 0, at most a year, sent as seconds (the server keeps
         * milliseconds). {@code null} (the default) for none.
         */
        public Builder grace(Duration grace) {
            this.grace = grace;
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
         * @throws NullPointerException if {@code alert} was not given
         * @throws IllegalStateException if neither or both of {@code nextIn} and {@code schedule}
         *     were given, or {@code tz} without {@code schedule}
         */
        public Pulse build() {
            return new Pulse(this);
        }
    }
}
