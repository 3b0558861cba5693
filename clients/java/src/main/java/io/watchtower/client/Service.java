package io.watchtower.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A monitored service as the server knows it: the answer to a pulse, a declaration, a pause, a
 * resume, a run's start or failure, a cancel, or an element of
 * {@link WatchtowerClient#listServices()}. Immutable.
 */
public final class Service {
    private final String name;
    private final AlertType alertType;
    private final String alertTarget;
    private final Duration nextIn;
    private final String schedule;
    private final String tz;
    private final Duration grace;
    private final Instant firstSeen;
    private final Instant lastPulse;
    private final Instant deadline;
    private final ServiceStatus status;
    private final Duration remindEvery;
    private final String dependsOn;
    private final Instant flappingSince;
    private final Instant runningSince;
    private final boolean neverPulsed;

    private Service(Json.Fields f) {
        this.name = f.string("service");
        this.alertType = AlertType.parse(f.string("alertType"));
        this.alertTarget = f.string("alertTarget");
        this.nextIn = Wire.duration(f.number("nextIn"));
        this.schedule = f.optionalString("schedule");
        this.tz = f.optionalString("tz");
        this.grace = f.has("grace") ? Wire.duration(f.number("grace")) : null;
        this.firstSeen = f.has("firstSeen") ? Wire.instant(f.string("firstSeen")) : null;
        this.lastPulse = Wire.instant(f.string("lastPulse"));
        this.deadline = Wire.instant(f.string("deadline"));
        this.status = ServiceStatus.parse(f.string("status"));
        this.remindEvery = f.has("remindEvery") ? Wire.duration(f.number("remindEvery")) : null;
        this.dependsOn = f.optionalString("dependsOn");
        this.flappingSince = f.has("flappingSince") ? Wire.instant(f.string("flappingSince")) : null;
        this.runningSince = f.has("runningSince") ? Wire.instant(f.string("runningSince")) : null;
        this.neverPulsed = f.flag("neverPulsed");
    }

    static Service fromJson(Object json) {
        return new Service(Json.Fields.of(json, "service"));
    }

    /** The service's name. */
    public String getName() {
        return name;
    }

    /** How its owner is alerted. */
    public AlertType getAlertType() {
        return alertType;
    }

    /** Whom (or which configured webhook) the alerts go to. */
    public String getAlertTarget() {
        return alertTarget;
    }

    /**
     * The {@code nextIn} of its last pulse: how long it may stay silent (before its
     * {@linkplain #getGrace() grace}). For a scheduled service, the time from its last pulse to the
     * schedule's next time after it.
     */
    public Duration getNextIn() {
        return nextIn;
    }

    /** The cron expression its last pulse gave instead of a {@code nextIn}, if any. */
    public Optional<String> getSchedule() {
        return Optional.ofNullable(schedule);
    }

    /** The time zone of its {@linkplain #getSchedule() schedule} (e.g. {@code "UTC"}), if it has one. */
    public Optional<String> getTz() {
        return Optional.ofNullable(tz);
    }

    /** How long after its due time it is declared dead, if its last pulse gave a grace. */
    public Optional<Duration> getGrace() {
        return Optional.ofNullable(grace);
    }

    /**
     * When the server first saw it: its first pulse, or its {@linkplain WatchtowerClient#declare(Pulse)
     * declaration}; empty for a service stored by an older server that did not record it.
     */
    public Optional<Instant> getFirstSeen() {
        return Optional.ofNullable(firstSeen);
    }

    /**
     * When the server received its last pulse; while it has {@linkplain #isNeverPulsed() never
     * pulsed}, when it was declared.
     */
    public Instant getLastPulse() {
        return lastPulse;
    }

    /**
     * When it will be declared dead unless it pulses again: last pulse + {@code nextIn} + grace
     * (for a scheduled service: the schedule's next time after the last pulse + grace). After a
     * {@linkplain WatchtowerClient#resume(String) resume}, counted from the resume instead of the
     * last pulse. While the service is {@linkplain ServiceStatus#PAUSED paused} it is not enforced
     * (and may be past).
     */
    public Instant getDeadline() {
        return deadline;
    }

    /**
     * Where it stands: up, late (listed only), dead, paused or new; {@link ServiceStatus#UNKNOWN}
     * for a status this client does not know.
     */
    public ServiceStatus getStatus() {
        return status;
    }

    /** The time between reminders while it stays dead, if its last pulse set one ({@code 0}: never). */
    public Optional<Duration> getRemindEvery() {
        return Optional.ofNullable(remindEvery);
    }

    /** The service it depends on, if its last pulse named one. */
    public Optional<String> getDependsOn() {
        return Optional.ofNullable(dependsOn);
    }

    /** Since when it has been flapping (dying and recovering over and over), while it is. */
    public Optional<Instant> getFlappingSince() {
        return Optional.ofNullable(flappingSince);
    }

    /**
     * Since when a run of it has been under way: the server's receipt of the
     * {@linkplain WatchtowerClient#start(String) start} not yet ended by a pulse or a
     * {@linkplain WatchtowerClient#fail(String, String) failure}. Empty when no run is under way.
     */
    public Optional<Instant> getRunningSince() {
        return Optional.ofNullable(runningSince);
    }

    /**
     * Whether it was {@linkplain WatchtowerClient#declare(Pulse) declared} and has never pulsed:
     * {@link ServiceStatus#NEW}, or {@link ServiceStatus#DEAD} (or paused) without a first pulse.
     * Its first pulse makes it {@code false}.
     */
    public boolean isNeverPulsed() {
        return neverPulsed;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Service)) {
            return false;
        }
        Service that = (Service) o;
        return name.equals(that.name) && alertType == that.alertType
                && alertTarget.equals(that.alertTarget) && nextIn.equals(that.nextIn)
                && Objects.equals(schedule, that.schedule) && Objects.equals(tz, that.tz)
                && Objects.equals(grace, that.grace) && Objects.equals(firstSeen, that.firstSeen)
                && lastPulse.equals(that.lastPulse) && deadline.equals(that.deadline)
                && status == that.status && Objects.equals(remindEvery, that.remindEvery)
                && Objects.equals(dependsOn, that.dependsOn)
                && Objects.equals(flappingSince, that.flappingSince)
                && Objects.equals(runningSince, that.runningSince) && neverPulsed == that.neverPulsed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, alertType, alertTarget, nextIn, schedule, tz, grace, firstSeen, lastPulse, deadline,
                status, remindEvery, dependsOn, flappingSince, runningSince, neverPulsed);
    }

    @Override
    public String toString() {
        return "Service{name=" + name + ", status=" + status + ", alertType=" + alertType
                + ", alertTarget=" + alertTarget + ", nextIn=" + nextIn
                + (schedule != null ? ", schedule=" + schedule : "")
                + (tz != null ? ", tz=" + tz : "")
                + (grace != null ? ", grace=" + grace : "")
                + (firstSeen != null ? ", firstSeen=" + firstSeen : "")
                + ", lastPulse=" + lastPulse
                + ", deadline=" + deadline
                + (remindEvery != null ? ", remindEvery=" + remindEvery : "")
                + (dependsOn != null ? ", dependsOn=" + dependsOn : "")
                + (flappingSince != null ? ", flappingSince=" + flappingSince : "")
                + (runningSince != null ? ", runningSince=" + runningSince : "")
                + (neverPulsed ? ", neverPulsed" : "") + "}";
    }
}
